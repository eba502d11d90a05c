/**
 * The basic access_token, the JS-SDK jsapi_ticket and the cards' api_ticket (`wx_card`), as WeChat hands them out: the two token APIs
 * (`cgi-bin/stable_token`, `cgi-bin/token`), the ticket call, and the pure rules the central token
 * service schedules by (when to refresh, which errors never to retry, quota warnings). Hosts, fetch,
 * clock and randomness are injected.
 */
import { z } from "zod";
import type { CgiCall } from "./cgi";
import { WeChatApiError } from "./errors";
import { callWithFailover, type ApiHosts } from "./hosts";
import type { WeChatHttpOptions } from "./http";

export type TokenApi = "stable" | "classic";
/** What CredentialFetch.api records. */
export type FetchApi = "stable" | "stable_force" | "classic" | "ticket" | "card_ticket";
/** card_ticket: the api_ticket of `getticket?type=wx_card`, which signs wx.addCard's cardExt (lib/wechat/card.ts). */
export type CredentialKind = "access_token" | "jsapi_ticket" | "card_ticket";
/** The kinds that are tickets (fetched with getticket through the CgiClient), with the type each asks for. */
export const TICKET_TYPES: Readonly<Record<Exclude<CredentialKind, "access_token">, "jsapi" | "wx_card">> =
  Object.freeze({ jsapi_ticket: "jsapi", card_ticket: "wx_card" });

export function isTicketKind(kind: CredentialKind): kind is keyof typeof TICKET_TYPES {
  return kind !== "access_token";
}

export interface FetchedCredential {
  readonly value: string;
  /** seconds, as WeChat sent it */
  readonly expiresIn: number;
  /** the base that answered */
  readonly host: string;
}

/** WeChat said the token used is not (or no longer) good: report it, then retry once. */
export const STALE_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/**
 * Configuration and quota errors: retrying cannot help and burns the quota, so they are surfaced at
 * once and no new fetch is tried for a while (see FATAL_BACKOFF_MS). 45011 is stable_token's
 * "30 s apart" limit for force_refresh.
 */
export const NO_RETRY_ERRCODES: ReadonlySet<number> = new Set([40013, 40125, 40164, 45009, 45011]);

/** WeChat's daily limits per API (stable_force: 20 force refreshes a day). */
export const DAILY_LIMITS: Readonly<Record<FetchApi, number>> = Object.freeze({
  classic: 2000,
  stable: 500_000,
  stable_force: 20,
  ticket: 100_000,
  // WeChat publishes no separate figure for type=wx_card; counted on its own, with jsapi's.
  card_ticket: 100_000,
});

export const STABLE_FORCE_MIN_INTERVAL_MS = 30_000;

const numeric = (value: unknown): unknown =>
  typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;

const tokenSchema = z
  .object({
    access_token: z.string().min(1).max(2048),
    expires_in: z.preprocess(numeric, z.number().int().positive()),
  })
  .transform((raw) => ({ value: raw.access_token, expiresIn: raw.expires_in }));

const ticketSchema = z
  .object({
    ticket: z.string().min(1).max(2048),
    expires_in: z.preprocess(numeric, z.number().int().positive()),
  })
  .transform((raw) => ({ value: raw.ticket, expiresIn: raw.expires_in }));

export interface TokenClientConfig {
  appId: string;
  appSecret: string;
  hosts: ApiHosts;
}

/** The two ways to get the account's basic access_token. */
export class WeChatTokenClient {
  readonly #appId: string;
  // Private so that logging or serialising the client cannot print the secret.
  readonly #appSecret: string;
  readonly #hosts: ApiHosts;
  readonly #http: WeChatHttpOptions;

  constructor(config: TokenClientConfig, http: WeChatHttpOptions = {}) {
    if (!config.appId || !config.appSecret) throw new TypeError("appId and appSecret are required");
    this.#appId = config.appId;
    this.#appSecret = config.appSecret;
    this.#hosts = config.hosts;
    this.#http = { ...http };
  }

  get hosts(): ApiHosts {
    return this.#hosts;
  }

  /** `cgi-bin/token`: a new token every time; the previous one dies 5 minutes later. */
  async fetchClassicToken(): Promise<FetchedCredential> {
    const endpoint = "/cgi-bin/token";
    const { value, host } = await callWithFailover(
      this.#hosts,
      (base) => {
        const url = new URL(`${base}${endpoint}`);
        url.searchParams.set("grant_type", "client_credential");
        url.searchParams.set("appid", this.#appId);
        url.searchParams.set("secret", this.#appSecret);
        return { url, schema: tokenSchema, idempotent: true, endpoint };
      },
      this.#http,
    );
    return { ...value, host };
  }

  /**
   * `cgi-bin/stable_token`: the current token (a new one only in its last 5 minutes), or with
   * `forceRefresh` a new one at once (20 a day, 30 s apart).
   */
  async fetchStableToken(forceRefresh: boolean): Promise<FetchedCredential> {
    const endpoint = "/cgi-bin/stable_token";
    const { value, host } = await callWithFailover(
      this.#hosts,
      (base) => ({
        url: new URL(`${base}${endpoint}`),
        method: "POST",
        body: {
          grant_type: "client_credential",
          appid: this.#appId,
          secret: this.#appSecret,
          force_refresh: forceRefresh,
        },
        schema: tokenSchema,
        idempotent: true,
        endpoint,
      }),
      this.#http,
    );
    return { ...value, host };
  }

  /**
   * Whether WeChat accepts `accessToken` now, asked with `cgi-bin/get_api_domain_ip` (no quota worth
   * counting, no side effect): false for 40001/40014/42001, WeChat's error for anything else.
   */
  async probeToken(accessToken: string): Promise<boolean> {
    const endpoint = "/cgi-bin/get_api_domain_ip";
    try {
      await callWithFailover(
        this.#hosts,
        (base) => {
          const url = new URL(`${base}${endpoint}`);
          url.searchParams.set("access_token", accessToken);
          return { url, schema: apiDomainIpSchema, idempotent: true, endpoint };
        },
        this.#http,
      );
      return true;
    } catch (error) {
      if (error instanceof WeChatApiError && STALE_TOKEN_ERRCODES.has(error.errcode)) return false;
      throw error;
    }
  }
}

const apiDomainIpSchema = z.object({ ip_list: z.array(z.string()) }).transform(() => true as const);

/** At most this many force refreshes an hour, whoever reports: the day's 20 must last the day. */
export const STABLE_FORCE_MAX_PER_HOUR = 3;

/** `cgi-bin/ticket/getticket?type=jsapi`, for a CgiClient (which adds the access_token). */
export const jsapiTicketCall: CgiCall<{ value: string; expiresIn: number }> = Object.freeze({
  method: "GET",
  path: "/cgi-bin/ticket/getticket",
  query: Object.freeze({ type: "jsapi" }),
  schema: ticketSchema,
  idempotent: true,
});

/** `cgi-bin/ticket/getticket?type=wx_card`: the cards' api_ticket, held centrally like the jsapi_ticket. */
export const cardTicketCall: CgiCall<{ value: string; expiresIn: number }> = Object.freeze({
  method: "GET",
  path: "/cgi-bin/ticket/getticket",
  query: Object.freeze({ type: "wx_card" }),
  schema: ticketSchema,
  idempotent: true,
});

/** The getticket call for a ticket kind, and what CredentialFetch.api records for it. */
export function ticketFetch(kind: keyof typeof TICKET_TYPES): {
  call: CgiCall<{ value: string; expiresIn: number }>;
  api: FetchApi;
} {
  return kind === "card_ticket"
    ? { call: cardTicketCall, api: "card_ticket" }
    : { call: jsapiTicketCall, api: "ticket" };
}

// ---- scheduling ----

export interface RefreshPolicy {
  /** refresh this long before expiry at the latest ... */
  readonly leadMs: number;
  /** ... plus up to this much earlier, at random, so that instances of many apps spread out */
  readonly jitterMs: number;
}

/**
 * classic: 15–20 minutes ahead, longer than the 5-minute overlap, so a reader never depends on it.
 * stable: WeChat only issues a new stable token in the last 5 minutes (the old one stays valid to its
 * end), so ask 230–290 s before expiry; asking earlier would just return the same token.
 * ticket: like classic (both the jsapi_ticket and the card ticket).
 */
export const REFRESH_POLICIES: Readonly<Record<"classic" | "stable" | "ticket", RefreshPolicy>> = Object.freeze({
  classic: { leadMs: 15 * 60_000, jitterMs: 5 * 60_000 },
  stable: { leadMs: 230_000, jitterMs: 60_000 },
  ticket: { leadMs: 15 * 60_000, jitterMs: 5 * 60_000 },
});

/** When to refresh a credential expiring at `expiresAt` (ms); `random` in [0, 1). */
export function refreshDueAt(expiresAt: number, policy: RefreshPolicy, random: number): number {
  const r = Math.min(Math.max(random, 0), 1);
  return expiresAt - policy.leadMs - Math.round(policy.jitterMs * r);
}

/** The percentage threshold (50, 80, 100) the count of fetches crossed with this fetch, if any. */
export function quotaThresholdCrossed(countAfter: number, limit: number): 50 | 80 | 100 | undefined {
  for (const pct of [100, 80, 50] as const) {
    const threshold = Math.ceil((limit * pct) / 100);
    if (countAfter === threshold) return pct;
  }
  return undefined;
}

/** After such an error no new fetch is tried for this long, by any instance. */
export function fatalBackoffMs(errcode: number): number {
  if (errcode === 45011) return STABLE_FORCE_MIN_INTERVAL_MS;
  if (errcode === 45009) return 10 * 60_000;
  return 60_000;
}

export function isStaleTokenError(error: unknown): error is WeChatApiError {
  return error instanceof WeChatApiError && STALE_TOKEN_ERRCODES.has(error.errcode);
}

export function isNoRetryError(error: unknown): error is WeChatApiError {
  return error instanceof WeChatApiError && NO_RETRY_ERRCODES.has(error.errcode);
}

/** The start (ms) of the Beijing day containing `ms`: WeChat's quotas reset at midnight UTC+8. */
export function beijingDayStart(ms: number): number {
  const offset = 8 * 3_600_000;
  return Math.floor((ms + offset) / 86_400_000) * 86_400_000 - offset;
}
