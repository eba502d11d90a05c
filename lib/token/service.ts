// The central token service (中控服务器) for the account's basic access_token, the JS-SDK jsapi_ticket
// and the cards' api_ticket (getticket type=wx_card, kind "card_ticket"; the tickets share every rule).
//
// - One store: WeChatCredential, sealed, with fetchedAt, expiresAt and a version (store.ts).
// - Read (read.ts): the current value from a one-second in-process cache or the database, never
//   waiting while it is usable; only a missing, expired or invalidated value makes a caller wait.
// - Fetch (fetch.ts): every fetch happens under the lease "token:<appid>:<kind>" (one at a time across
//   all processes) and is written with compare-and-set on the version.
// - Refresh ahead (ahead.ts): the process holding the lease "token:<appid>:leader" (renewed by tick())
//   refreshes ahead of expiry with a lead and jitter.
// - Passive refresh (passive.ts): reportInvalid(kind, value) expires the value only if it is still
//   current; concurrent reports from every process collapse onto one fetch.
// - Quota (quota.ts): every fetch recorded, failures backed off, forced refreshes counted locally.
// The steps share one state object (state.ts); this class is their face.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";
import type { Env } from "@/lib/env";
import { deriveKey } from "@/lib/crypto";
import { ApiHosts } from "@/lib/wechat/hosts";
import type { WeChatHttpOptions } from "@/lib/wechat/http";
import type { HttpFetch } from "@/lib/wechat/transport";
import { WeChatTokenClient, type CredentialKind } from "@/lib/wechat/token";
import { dueAt, tick, type TickResult } from "./ahead";
import type { TokenCgiClient } from "./client";
import { reportInvalid } from "./passive";
import { read } from "./read";
import { createTokenState, type Credential, type TokenServiceDeps, type TokenState } from "./state";
import type { CredentialRow } from "./store";

export { EXPIRY_SAFETY_MS, leaderLeaseName, leaseName, type Credential, type TokenServiceDeps } from "./state";
export type { TickResult } from "./ahead";

export class TokenService {
  readonly #s: TokenState;

  constructor(deps: TokenServiceDeps) {
    this.#s = createTokenState(deps, this);
  }

  get deps(): TokenServiceDeps {
    return this.#s.deps;
  }

  get appId(): string {
    return this.#s.deps.appId;
  }

  /** The CgiClient for every cgi-bin caller: access_token added, failover, report-and-retry-once. */
  get cgi(): TokenCgiClient {
    return this.#s.cgi;
  }

  /** The current basic access_token, fetched first if there is none. */
  accessToken(): Promise<Credential> {
    return read(this.#s, "access_token");
  }

  /** The current jsapi_ticket, fetched first if there is none. */
  jsapiTicket(): Promise<Credential> {
    return read(this.#s, "jsapi_ticket");
  }

  /** The current card api_ticket (getticket type=wx_card: signs wx.addCard's cardExt), fetched first if there is none. */
  cardTicket(): Promise<Credential> {
    return read(this.#s, "card_ticket");
  }

  get(kind: CredentialKind): Promise<Credential> {
    return read(this.#s, kind);
  }

  /**
   * A caller got 40001/40014/42001 with `value`: replace it if it is still the current one, and return
   * the value to retry with. Reports of an already replaced value cost nothing.
   */
  reportInvalid(kind: CredentialKind, value: string): Promise<Credential> {
    return reportInvalid(this.#s, kind, value);
  }

  /** The refresher's heartbeat: take or renew the leader lease; the leader refreshes what is due. */
  tick(): Promise<TickResult> {
    return tick(this.#s);
  }

  /** When the leader refreshes this row (ms epoch): the policy's lead plus this version's jitter. */
  dueAt(row: Pick<CredentialRow, "kind" | "version" | "source" | "expiresAt">): number {
    return dueAt(this.#s, row);
  }
}

export function newInstanceId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
}

/**
 * The service as the app runs it, from the environment (tests and workers pass overrides). `hosts`: the
 * process's shared host health (lib/services.ts); a service on a clock of its own gets its own.
 * `transport`: the process's HTTP transport (default: the global fetch).
 */
export function createTokenService(
  e: Env,
  db: Db,
  overrides: Partial<TokenServiceDeps> = {},
  hosts?: ApiHosts,
  transport?: HttpFetch,
): TokenService {
  const now = overrides.now ?? (() => new Date());
  const http: WeChatHttpOptions = overrides.http ?? { timeoutMs: 5000, retries: 2, fetch: transport };
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
