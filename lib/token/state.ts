// The token service's one state object and what every step shares: the deps, the in-process caches,
// the in-flight map, and how a stored row becomes a Credential. The steps live beside it: read.ts
// (readers), fetch.ts (a fetch under the lease), ahead.ts (the leader's refresh ahead of expiry),
// passive.ts (a caller's report of a refused value), quota.ts (backoff, limits, the fetch log).
import type { Db } from "@/lib/db";
import { unseal } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { WeChatHttpOptions } from "@/lib/wechat/http";
import type { CredentialKind, TokenApi, WeChatTokenClient } from "@/lib/wechat/token";
import { TokenCgiClient, type AccessTokenSource } from "./client";
import type { CredentialRow } from "./store";

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

export const leaseName = (appId: string, kind: CredentialKind) => `token:${appId}:${kind}`;
export const leaderLeaseName = (appId: string) => `token:${appId}:leader`;

/** Why a value is being replaced; passive carries the hash of the value reported invalid. */
export type RefreshMode =
  { readonly reason: "missing" | "proactive" } | { readonly reason: "passive"; readonly reportedHash: string };

/** The token service's state, one per service: passed to every step. */
export interface TokenState {
  readonly deps: TokenServiceDeps;
  readonly cacheMs: number;
  readonly leaseMs: number;
  readonly leaderLeaseMs: number;
  readonly pollMs: number;
  /** The CgiClient for every cgi-bin caller (and the ticket fetch). */
  readonly cgi: TokenCgiClient;
  /** The last value handed out per kind, and when the database was last asked. */
  readonly cache: Map<CredentialKind, { credential: Credential; checkedAt: number }>;
  /** One promise per key ("read:…", "passive:…:hash", "proactive:…"): concurrent callers share it. */
  readonly inflight: Map<string, Promise<Credential>>;
  /** The refresh jitter drawn for each kind:version. */
  readonly jitter: Map<string, number>;
  /** The last row unsealed per kind (undefined: not readable with our key). */
  readonly unsealed: Map<CredentialKind, { valueEnc: string; value: string | undefined }>;
}

export function createTokenState(deps: TokenServiceDeps, source: AccessTokenSource): TokenState {
  const state: TokenState = {
    deps,
    cacheMs: deps.cacheMs ?? 1000,
    leaseMs: deps.leaseMs ?? 60_000,
    leaderLeaseMs: deps.leaderLeaseMs ?? 60_000,
    pollMs: deps.pollMs ?? 25,
    cgi: new TokenCgiClient(source, deps.client.hosts, deps.http),
    cache: new Map(),
    inflight: new Map(),
    jitter: new Map(),
    unsealed: new Map(),
  };
  const timeout = deps.http.timeoutMs ?? 5000;
  const attempts = (deps.http.retries ?? 2) + 1;
  // stable + stable_force, or the ticket call retried once after a token refresh: two calls.
  const worstFetchMs = 2 * attempts * (timeout + 2000);
  if (state.leaseMs <= worstFetchMs) {
    throw new RangeError(`leaseMs (${state.leaseMs}) must outlive a fetch's worst case (${worstFetchMs} ms)`);
  }
  return state;
}

/** Runs `run` once for every concurrent caller with the same key. */
export function single(s: TokenState, key: string, run: () => Promise<Credential>): Promise<Credential> {
  const existing = s.inflight.get(key);
  if (existing) return existing;
  const promise = run().finally(() => s.inflight.delete(key));
  s.inflight.set(key, promise);
  return promise;
}

export function usableAt(expiresAt: Date, now: number): boolean {
  return expiresAt.getTime() - EXPIRY_SAFETY_MS > now;
}

/** Unexpired, not reported invalid, and readable with our key (TOKEN_ENCRYPTION_KEY may have changed). */
export function usable(s: TokenState, row: CredentialRow): boolean {
  return (
    row.invalidatedAt === null && usableAt(row.expiresAt, s.deps.now().getTime()) && unsealRow(s, row) !== undefined
  );
}

function unsealRow(s: TokenState, row: CredentialRow): string | undefined {
  const kind = row.kind as CredentialKind;
  const known = s.unsealed.get(kind);
  if (known?.valueEnc === row.valueEnc) return known.value;
  let value: string | undefined;
  try {
    value = unseal(row.valueEnc, s.deps.key);
  } catch {
    // Sealed with another key: treated as missing, so it is fetched again and overwritten.
    log.warn("credential_unreadable", { kind: row.kind, fingerprint: row.valueHash.slice(0, 8) });
  }
  s.unsealed.set(kind, { valueEnc: row.valueEnc, value });
  return value;
}

/** The row as a Credential, kept in the process cache. */
export function remember(s: TokenState, row: CredentialRow): Credential {
  const value = unsealRow(s, row);
  if (value === undefined) throw new AppError("internal", { detail: `${row.kind} cannot be unsealed` });
  const credential: Credential = Object.freeze({
    kind: row.kind as CredentialKind,
    value,
    version: row.version,
    fetchedAt: row.fetchedAt,
    expiresAt: row.expiresAt,
    fingerprint: row.valueHash.slice(0, 8),
  });
  s.cache.set(credential.kind, { credential, checkedAt: s.deps.now().getTime() });
  return credential;
}

export function hostOf(base: string): string {
  try {
    return new URL(base).host;
  } catch {
    return base;
  }
}
