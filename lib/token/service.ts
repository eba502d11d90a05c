// The central token service (中控服务器) for the account's basic access_token and JS-SDK jsapi_ticket.
//
// - One store: WeChatCredential, sealed, with fetchedAt, expiresAt and a version.
// - Readers take the current value from a one-second in-process cache or the database and never wait
//   while it is usable; only a missing, expired or invalidated value makes a caller wait for a fetch.
// - Every fetch happens under the lease "token:<appid>:<kind>" (one fetch at a time across all
//   processes) and is written with compare-and-set on the version.
// - Proactive refresh: the process holding the lease "token:<appid>:leader" (renewed by tick())
//   refreshes ahead of expiry with a lead and jitter (lib/wechat/token.ts REFRESH_POLICIES).
// - Passive refresh: reportInvalid(kind, value) expires the value only if it is still current
//   (compare-and-expire); concurrent reports from every process collapse onto one fetch.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import type { Env } from "@/lib/env";
import { deriveKey, seal, unseal } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { WeChatApiError, WeChatTransportError } from "@/lib/wechat/errors";
import { ApiHosts } from "@/lib/wechat/hosts";
import type { WeChatHttpOptions } from "@/lib/wechat/http";
import {
  DAILY_LIMITS,
  REFRESH_POLICIES,
  STABLE_FORCE_MAX_PER_HOUR,
  STABLE_FORCE_MIN_INTERVAL_MS,
  WeChatTokenClient,
  beijingDayStart,
  fatalBackoffMs,
  isNoRetryError,
  jsapiTicketCall,
  quotaThresholdCrossed,
  refreshDueAt,
  type CredentialKind,
  type FetchApi,
  type FetchedCredential,
  type TokenApi,
} from "@/lib/wechat/token";
import { acquireLease, releaseLease } from "@/lib/lease";
import {
  countFetches,
  credentialHash,
  expireIfCurrent,
  lastFetch,
  lastForceRefresh,
  readCredential,
  recordFetch,
  restoreIfInvalidated,
  writeCredential,
  type CredentialRow,
} from "./store";
import { TokenCgiClient } from "./client";

/** A credential as readers get it. */
export interface Credential {
  readonly kind: CredentialKind;
  readonly value: string;
  readonly version: number;
  readonly fetchedAt: Date;
  readonly expiresAt: Date;
  /** first 8 hex of sha256(value): safe to log */
  readonly fingerprint: string;
}

export interface TokenServiceDeps {
  readonly db: Db;
  readonly appId: string;
  /** key for WeChatCredential.valueEnc */
  readonly key: Buffer;
  readonly client: WeChatTokenClient;
  readonly api: TokenApi;
  /** for cgi-bin calls (the ticket, and the CgiClient handed to other features) */
  readonly http: WeChatHttpOptions;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** in [0, 1): the refresh jitter */
  readonly random: () => number;
  /** who this process is in Lease.holder and CredentialFetch.instance */
  readonly instance: string;
  /** how long a process keeps a value without looking at the database. Default 1 s. */
  readonly cacheMs?: number;
  /** the fetch lease; must outlive a fetch's worst case. Default 60 s. */
  readonly leaseMs?: number;
  /** the leader's lease, renewed by every tick. Default 60 s. */
  readonly leaderLeaseMs?: number;
  /** how often a waiting caller looks for the new value. Default 25 ms. */
  readonly pollMs?: number;
}

/** A value this close to its expiry is no longer handed out: a call made with it could arrive late. */
export const EXPIRY_SAFETY_MS = 30_000;
/** After a transient failure (busy, both hosts down) no instance fetches again for this long. */
const TRANSIENT_BACKOFF_MS = 5_000;

export const leaseName = (appId: string, kind: CredentialKind) => `token:${appId}:${kind}`;
export const leaderLeaseName = (appId: string) => `token:${appId}:leader`;

type Need = (row: CredentialRow) => boolean;

interface RefreshMode {
  readonly reason: "missing" | "proactive" | "passive";
  /** passive: the hash of the value reported invalid */
  readonly reportedHash?: string;
}

export interface TickResult {
  readonly leader: boolean;
  readonly refreshed: CredentialKind[];
  readonly errors: { kind: CredentialKind; error: string }[];
}

export class TokenService {
  readonly deps: TokenServiceDeps;
  /** The CgiClient for every cgi-bin caller: access_token added, failover, report-and-retry-once. */
  readonly cgi: TokenCgiClient;
  readonly #cacheMs: number;
  readonly #leaseMs: number;
  readonly #leaderLeaseMs: number;
  readonly #pollMs: number;
  readonly #cache = new Map<CredentialKind, { credential: Credential; checkedAt: number }>();
  readonly #inflight = new Map<string, Promise<Credential>>();
  readonly #jitter = new Map<string, number>();

  constructor(deps: TokenServiceDeps) {
    this.deps = deps;
    this.#cacheMs = deps.cacheMs ?? 1000;
    this.#leaseMs = deps.leaseMs ?? 60_000;
    this.#leaderLeaseMs = deps.leaderLeaseMs ?? 60_000;
    this.#pollMs = deps.pollMs ?? 25;
    const timeout = deps.http.timeoutMs ?? 5000;
    const attempts = (deps.http.retries ?? 2) + 1;
    // stable + stable_force, or the ticket call retried once after a token refresh: two calls.
    const worstFetchMs = 2 * attempts * (timeout + 2000);
    if (this.#leaseMs <= worstFetchMs) {
      throw new RangeError(`leaseMs (${this.#leaseMs}) must outlive a fetch's worst case (${worstFetchMs} ms)`);
    }
    this.cgi = new TokenCgiClient(this, deps.client.hosts, deps.http);
  }

  get appId(): string {
    return this.deps.appId;
  }

  /** The current basic access_token, fetched first if there is none. */
  accessToken(): Promise<Credential> {
    return this.get("access_token");
  }

  /** The current jsapi_ticket, fetched first if there is none. */
  jsapiTicket(): Promise<Credential> {
    return this.get("jsapi_ticket");
  }

  get(kind: CredentialKind): Promise<Credential> {
    const now = this.deps.now().getTime();
    const cached = this.#cache.get(kind);
    if (cached && now - cached.checkedAt < this.#cacheMs && usableAt(cached.credential.expiresAt, now)) {
      return Promise.resolve(cached.credential);
    }
    return this.#single(`read:${kind}`, () => this.#load(kind));
  }

  /**
   * A caller got 40001/40014/42001 with `value`: replace it if it is still the current one, and return
   * the value to retry with. Reports of an already replaced value cost nothing.
   */
  reportInvalid(kind: CredentialKind, value: string): Promise<Credential> {
    const hash = credentialHash(value);
    this.#cache.delete(kind);
    // Concurrent reports of one value in this process share one compare-and-expire and one wait.
    return this.#single(`passive:${kind}:${hash}`, async () => {
      const expired = await expireIfCurrent(this.deps.db, this.appId, kind, hash, this.deps.now());
      if (expired) {
        log.warn("credential_reported_invalid", { kind, fingerprint: hash.slice(0, 8), instance: this.deps.instance });
      }
      return this.#refresh(kind, (row) => row.valueHash === hash, { reason: "passive", reportedHash: hash });
    });
  }

  /**
   * The refresher's heartbeat: take or renew the leader lease; the leader refreshes every stored
   * credential whose time has come. Credentials nobody asked for yet are not fetched.
   */
  async tick(): Promise<TickResult> {
    const lease = await acquireLease(this.deps.db, {
      name: leaderLeaseName(this.appId),
      holder: this.deps.instance,
      ttlMs: this.#leaderLeaseMs,
      now: this.deps.now(),
      renew: true,
    });
    if (!lease) return { leader: false, refreshed: [], errors: [] };
    const refreshed: CredentialKind[] = [];
    const errors: { kind: CredentialKind; error: string }[] = [];
    for (const kind of ["access_token", "jsapi_ticket"] as const) {
      const row = await readCredential(this.deps.db, this.appId, kind);
      if (!row || !this.#due(row)) continue;
      try {
        const version = row.version;
        const credential = await this.#single(`proactive:${kind}`, () =>
          this.#refresh(kind, (r) => r.version === version && this.#due(r), { reason: "proactive" }),
        );
        if (credential.version !== version) refreshed.push(kind);
      } catch (error) {
        errors.push({ kind, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { leader: true, refreshed, errors };
  }

  /** When the leader refreshes this row (ms epoch): the policy's lead plus this version's jitter. */
  dueAt(row: Pick<CredentialRow, "kind" | "version" | "source" | "expiresAt">): number {
    const key = `${row.kind}:${row.version}`;
    let r = this.#jitter.get(key);
    if (r === undefined) {
      if (this.#jitter.size > 16) this.#jitter.clear();
      r = this.deps.random();
      this.#jitter.set(key, r);
    }
    const policy = row.kind === "jsapi_ticket" ? REFRESH_POLICIES.ticket : REFRESH_POLICIES[row.source as TokenApi];
    return refreshDueAt(row.expiresAt.getTime(), policy ?? REFRESH_POLICIES.classic, r);
  }

  #due(row: CredentialRow): boolean {
    const now = this.deps.now().getTime();
    // A stored value from the other API (WECHAT_TOKEN_API changed) is replaced at once.
    const wrongApi = row.kind === "access_token" && row.source !== this.deps.api;
    return wrongApi || now >= this.dueAt(row) || !this.#usable(row);
  }

  async #load(kind: CredentialKind): Promise<Credential> {
    const row = await readCredential(this.deps.db, this.appId, kind);
    if (row && this.#usable(row)) return this.#remember(row);
    return this.#refresh(kind, (r) => !this.#usable(r), { reason: "missing" });
  }

  /** Unexpired, not reported invalid, and readable with our key (TOKEN_ENCRYPTION_KEY may have changed). */
  #usable(row: CredentialRow): boolean {
    return (
      row.invalidatedAt === null &&
      usableAt(row.expiresAt, this.deps.now().getTime()) &&
      this.#unseal(row) !== undefined
    );
  }

  readonly #unsealed = new Map<string, { valueEnc: string; value: string | undefined }>();

  #unseal(row: CredentialRow): string | undefined {
    const known = this.#unsealed.get(row.kind);
    if (known?.valueEnc === row.valueEnc) return known.value;
    let value: string | undefined;
    try {
      value = unseal(row.valueEnc, this.deps.key);
    } catch {
      // Sealed with another key: treated as missing, so it is fetched again and overwritten.
      log.warn("credential_unreadable", { kind: row.kind, fingerprint: row.valueHash.slice(0, 8) });
    }
    this.#unsealed.set(row.kind, { valueEnc: row.valueEnc, value });
    return value;
  }

  #remember(row: CredentialRow): Credential {
    const value = this.#unseal(row);
    if (value === undefined) throw new AppError("internal", { detail: `${row.kind} cannot be unsealed` });
    const credential: Credential = Object.freeze({
      kind: row.kind as CredentialKind,
      value,
      version: row.version,
      fetchedAt: row.fetchedAt,
      expiresAt: row.expiresAt,
      fingerprint: row.valueHash.slice(0, 8),
    });
    this.#cache.set(credential.kind, { credential, checkedAt: this.deps.now().getTime() });
    return credential;
  }

  /**
   * Makes sure the stored value no longer `needs` replacing, fetching it under the lease if this
   * process gets it, else waiting for the holder's write. A proactive refresh that finds the lease
   * taken returns the current value at once: someone else is on it.
   */
  async #refresh(kind: CredentialKind, needs: Need, mode: RefreshMode): Promise<Credential> {
    const { db } = this.deps;
    const waitUntil = this.deps.now().getTime() + this.#leaseMs + 5000;
    for (;;) {
      let row = await readCredential(db, this.appId, kind);
      if (row && !needs(row) && this.#usable(row)) return this.#remember(row);
      const lease = await acquireLease(db, {
        name: leaseName(this.appId, kind),
        holder: this.deps.instance,
        ttlMs: this.#leaseMs,
        now: this.deps.now(),
      });
      if (lease) {
        try {
          // Whoever held the lease before may have just written: look again before spending quota.
          row = await readCredential(db, this.appId, kind);
          if (row && !needs(row) && this.#usable(row)) return this.#remember(row);
          try {
            await this.#respectBackoff(kind);
            return await this.#fetchAndStore(kind, row, mode);
          } catch (error) {
            if (row && row.invalidatedAt !== null && usableAt(row.expiresAt, this.deps.now().getTime())) {
              await restoreIfInvalidated(db, this.appId, kind, row.version).catch(() => {});
            }
            throw error;
          }
        } finally {
          await releaseLease(db, lease, this.deps.now()).catch(() => {});
        }
      }
      if (mode.reason === "proactive" && row && this.#usable(row)) return this.#remember(row);
      if (this.deps.now().getTime() > waitUntil) {
        throw new AppError("wechat_busy", { detail: `waited too long for the ${kind} refresh of another instance` });
      }
      await this.deps.sleep(this.#pollMs);
    }
  }

  /** A recent configuration, quota or transient failure is thrown again instead of fetching again. */
  async #respectBackoff(kind: CredentialKind): Promise<void> {
    const last = await lastFetch(this.deps.db, this.appId, kind);
    if (!last || last.ok) return;
    const age = this.deps.now().getTime() - last.createdAt.getTime();
    if (last.errcode !== null && last.errcode !== -1) {
      const probe = new WeChatApiError({
        errcode: last.errcode,
        errmsg: last.errmsg ?? "",
        endpoint: endpointOf(last.api),
      });
      if (isNoRetryError(probe) && age < fatalBackoffMs(last.errcode)) throw probe;
      return;
    }
    if (age < TRANSIENT_BACKOFF_MS) {
      throw new AppError("wechat_busy", {
        detail: `the last ${kind} fetch failed ${age} ms ago: ${last.errmsg ?? ""}`,
      });
    }
  }

  async #fetchAndStore(kind: CredentialKind, row: CredentialRow | null, mode: RefreshMode): Promise<Credential> {
    const fetchedAt = this.deps.now();
    let fetched: FetchedCredential;
    let api: FetchApi;
    if (kind === "jsapi_ticket") {
      api = "ticket";
      fetched = await this.#recorded(kind, api, async () => {
        const { value, host } = await this.cgi.callWithHost(jsapiTicketCall);
        return { ...value, host };
      });
    } else if (this.deps.api === "classic") {
      api = "classic";
      fetched = await this.#recorded(kind, api, () => this.deps.client.fetchClassicToken());
    } else {
      api = "stable";
      fetched = await this.#recorded(kind, api, () => this.deps.client.fetchStableToken(false));
      // WeChat's stable_token still hands out the reported token. Only if WeChat itself refuses it
      // (asked with the token, at no quota) does a forced refresh replace it: a caller reporting a
      // token that works (a bug, or malice) must not burn the day's 20 force refreshes.
      if (mode.reason === "passive" && credentialHash(fetched.value) === mode.reportedHash) {
        const current = fetched;
        if (await this.deps.client.probeToken(current.value)) {
          log.warn("credential_report_refused", { kind, fingerprint: mode.reportedHash.slice(0, 8) });
          return this.#store(kind, row, current, "stable", fetchedAt, mode);
        }
        try {
          fetched = await this.#recorded(kind, "stable_force", async () => {
            // Refused here when WeChat would refuse it: recorded like WeChat's own answer, so the backoff holds.
            await this.#checkForceAllowed();
            return this.deps.client.fetchStableToken(true);
          });
          api = "stable_force";
        } catch (error) {
          // No forced refresh now: keep serving what WeChat calls current (readers must not stall on
          // one reporter's 40001); the reporter gets the error, and the backoff stops further tries.
          await this.#store(kind, row, current, "stable", fetchedAt, mode);
          throw error;
        }
      }
    }
    return this.#store(kind, row, fetched, api, fetchedAt, mode);
  }

  async #store(
    kind: CredentialKind,
    row: CredentialRow | null,
    fetched: FetchedCredential,
    api: FetchApi,
    fetchedAt: Date,
    mode: RefreshMode,
  ): Promise<Credential> {
    const valueHash = credentialHash(fetched.value);
    const expiresAt = new Date(fetchedAt.getTime() + fetched.expiresIn * 1000);
    const source = kind === "jsapi_ticket" ? "ticket" : api === "classic" ? "classic" : "stable";
    const written = await writeCredential(this.deps.db, this.appId, kind, row?.version ?? 0, {
      valueEnc: seal(fetched.value, this.deps.key),
      valueHash,
      source,
      fetchedAt,
      expiresAt,
    });
    const stored = await readCredential(this.deps.db, this.appId, kind);
    if (!stored) throw new AppError("internal", { detail: `${kind} vanished after it was written` });
    log.info(written ? "credential_refreshed" : "credential_refresh_lost", {
      kind,
      reason: mode.reason,
      api,
      fingerprint: valueHash.slice(0, 8),
      version: stored.version,
      expiresInSeconds: fetched.expiresIn,
      host: hostOf(fetched.host),
      instance: this.deps.instance,
    });
    return this.#remember(stored);
  }

  async #checkForceAllowed(): Promise<void> {
    const { db } = this.deps;
    const now = this.deps.now();
    const [today, last] = await Promise.all([
      countFetches(db, this.appId, "stable_force", new Date(beijingDayStart(now.getTime()))),
      lastForceRefresh(db, this.appId),
    ]);
    const endpoint = "/cgi-bin/stable_token";
    if (today >= DAILY_LIMITS.stable_force) {
      throw new WeChatApiError({ errcode: 45009, errmsg: "force_refresh: 20 a day used (counted locally)", endpoint });
    }
    if (last && now.getTime() - last.createdAt.getTime() < STABLE_FORCE_MIN_INTERVAL_MS) {
      throw new WeChatApiError({ errcode: 45011, errmsg: "force_refresh: 30 s apart (counted locally)", endpoint });
    }
    const lastHour = await countFetches(db, this.appId, "stable_force", new Date(now.getTime() - 3_600_000));
    if (lastHour >= STABLE_FORCE_MAX_PER_HOUR) {
      throw new WeChatApiError({
        errcode: 45011,
        errmsg: `force_refresh: ${STABLE_FORCE_MAX_PER_HOUR} an hour (counted locally)`,
        endpoint,
      });
    }
  }

  /** Runs one upstream fetch and records it (ok or not) in CredentialFetch. */
  async #recorded(
    kind: CredentialKind,
    api: FetchApi,
    fetch: () => Promise<FetchedCredential>,
  ): Promise<FetchedCredential> {
    const { db, now, instance } = this.deps;
    const started = now().getTime();
    const base = { appid: this.appId, kind, api, instance };
    try {
      const fetched = await fetch();
      const at = now();
      await recordFetch(db, {
        ...base,
        ok: true,
        host: hostOf(fetched.host),
        durationMs: at.getTime() - started,
        createdAt: at,
      });
      await this.#warnOnQuota(api, at);
      return fetched;
    } catch (error) {
      const at = now();
      await recordFetch(db, {
        ...base,
        ok: false,
        errcode: error instanceof WeChatApiError ? error.errcode : null,
        errmsg: error instanceof Error ? error.message : String(error),
        host: null,
        durationMs: at.getTime() - started,
        createdAt: at,
      }).catch(() => {});
      log.error("credential_fetch_failed", {
        kind,
        api,
        errcode: error instanceof WeChatApiError ? error.errcode : undefined,
        transport: error instanceof WeChatTransportError ? error.kind : undefined,
        message: error instanceof Error ? error.message : String(error),
        instance,
      });
      throw error;
    }
  }

  async #warnOnQuota(api: FetchApi, at: Date): Promise<void> {
    const limit = DAILY_LIMITS[api];
    const count = await countFetches(this.deps.db, this.appId, api, new Date(beijingDayStart(at.getTime())));
    const crossed = quotaThresholdCrossed(count, limit);
    if (crossed) log.warn("credential_quota_warning", { api, percent: crossed, count, limit });
  }

  #single(key: string, run: () => Promise<Credential>): Promise<Credential> {
    const existing = this.#inflight.get(key);
    if (existing) return existing;
    const promise = run().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }
}

function usableAt(expiresAt: Date, now: number): boolean {
  return expiresAt.getTime() - EXPIRY_SAFETY_MS > now;
}

function hostOf(base: string): string {
  try {
    return new URL(base).host;
  } catch {
    return base;
  }
}

function endpointOf(api: string): string {
  return api === "classic"
    ? "/cgi-bin/token"
    : api === "ticket"
      ? "/cgi-bin/ticket/getticket"
      : "/cgi-bin/stable_token";
}

export function newInstanceId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
}

/**
 * The service as the app runs it, from the environment (tests and workers pass overrides). `hosts`: the
 * process's shared host health (lib/services.ts); a service on a clock of its own gets its own.
 */
export function createTokenService(
  e: Env,
  db: Db,
  overrides: Partial<TokenServiceDeps> = {},
  hosts?: ApiHosts,
): TokenService {
  const now = overrides.now ?? (() => new Date());
  const http: WeChatHttpOptions = overrides.http ?? { timeoutMs: 5000, retries: 2 };
  const apiHosts =
    hosts && !overrides.now
      ? hosts
      : new ApiHosts({ primary: e.WECHAT_API_BASE, backup: e.WECHAT_API_BACKUP_BASE, now: () => now().getTime() });
  return new TokenService({
    db,
    appId: e.WECHAT_APP_ID,
    key: deriveKey(e.TOKEN_ENCRYPTION_KEY, "wechat-credential"),
    client: new WeChatTokenClient({ appId: e.WECHAT_APP_ID, appSecret: e.WECHAT_APP_SECRET, hosts: apiHosts }, http),
    api: e.WECHAT_TOKEN_API,
    http,
    now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    instance: newInstanceId(),
    ...overrides,
  });
}
