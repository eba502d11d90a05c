/**
 * The account's basic access_token: the classic `cgi-bin/token` and the newer `cgi-bin/stable_token`.
 *
 * - classic: every fetch mints a new token and makes the previous classic token expire after a
 *   5-minute overlap; at most `quota.classic` (2,000) fetches a day, then 45009.
 * - stable: returns the current stable token (with the seconds it has left) and mints a new one only
 *   in its last 5 minutes; the old one keeps working until its own expiry. `force_refresh: true`
 *   mints one at once (the previous stable token then gets the same 5-minute overlap), at most 20 a
 *   day and 30 s apart (45009 / 45011). Neither kind invalidates the other.
 *
 * Days are Beijing days (WeChat resets its quotas at midnight UTC+8). `check()` is what every other
 * cgi-bin route calls first. `cgi-bin/get_api_domain_ip` answers any good token with WeChat's API IPs:
 * the cheapest way to ask WeChat whether it still accepts a token.
 */
import { randomBytes } from "node:crypto";
import { SimulatorInputError, wxError, type ApiBody } from "../errors";
import { control, upstream, type UpstreamRequest } from "../http/router";
import { parseJsonBody, type SimCore, type Surface } from "../surface";

export const BASIC_TOKEN_TTL_SECONDS = 7200;
/** How long the previous token keeps working after a new fetch. */
export const OVERLAP_SECONDS = 5 * 60;
/** stable_token mints a new token only when the current one has less than this left. */
export const STABLE_RENEW_WINDOW_SECONDS = 5 * 60;
export const STABLE_FORCE_MIN_INTERVAL_SECONDS = 30;

export interface TokenQuota {
  /** cgi-bin/token fetches a day (WeChat: 2,000). */
  classic: number;
  /** cgi-bin/stable_token calls a day (WeChat: 500,000). */
  stable: number;
  /** stable_token with force_refresh a day (WeChat: 20). */
  stableForce: number;
}

export const DEFAULT_TOKEN_QUOTA: Readonly<TokenQuota> = Object.freeze({
  classic: 2000,
  stable: 500_000,
  stableForce: 20,
});

export type TokenSource = "classic" | "stable";

export interface IssuedToken {
  readonly value: string;
  readonly source: TokenSource;
  readonly issuedAt: number;
  /** ms epoch; lowered to now + overlap when a newer token of the same source is minted */
  expiresAt: number;
  /** set when a newer fetch retired it: past the overlap it is "not latest" (40001), not "expired" */
  retired?: boolean;
  /** WeChat refuses it (40001) although stable_token still hands it out: what force_refresh is for */
  refused?: boolean;
}

interface DayCounts {
  day: number;
  classic: number;
  stable: number;
  stableForce: number;
}

const DAY_MS = 86_400_000;
/** WeChat's day starts at midnight in Beijing. */
export const beijingDay = (ms: number): number => Math.floor((ms + 8 * 3_600_000) / DAY_MS);

export class BasicTokens implements Surface {
  private tokens = new Map<string, IssuedToken>();
  private current: IssuedToken | undefined;
  private stableCurrent: IssuedToken | undefined;
  private quota: TokenQuota = { ...DEFAULT_TOKEN_QUOTA };
  private counts: DayCounts = { day: -1, classic: 0, stable: 0, stableForce: 0 };
  private lastForceAt: number | undefined;
  private overlapSeconds = OVERLAP_SECONDS;

  constructor(private readonly core: SimCore) {}

  readonly routes = [
    upstream("/cgi-bin/token", (req) => this.fetchClassic(req)),
    upstream("/cgi-bin/stable_token", (req) => this.fetchStable(req)),
    upstream("/cgi-bin/get_api_domain_ip", (req) => {
      if (req.method !== "GET") return wxError(43001, this.core.now(), "require GET method");
      return this.check(req.query.get("access_token")) ?? { ip_list: ["101.226.90.58", "101.226.90.149"] };
    }),
  ];

  readonly controls = [
    control("GET", "/__sim/token/state", () => this.state()),
    control("POST", "/__sim/token/quota", (input) => {
      this.setQuota(input);
      return this.state();
    }),
    control("POST", "/__sim/token/overlap", (input) => {
      this.setOverlap(input.seconds);
      return { ok: true };
    }),
    control("POST", "/__sim/token/invalidate", () => {
      this.invalidateAll();
      return { ok: true };
    }),
    control("POST", "/__sim/token/refuse", (input) => {
      this.refuse(input.value);
      return { ok: true };
    }),
  ];

  reset(): void {
    this.tokens.clear();
    this.current = undefined;
    this.stableCurrent = undefined;
    this.quota = { ...DEFAULT_TOKEN_QUOTA };
    this.counts = { day: -1, classic: 0, stable: 0, stableForce: 0 };
    this.lastForceAt = undefined;
    this.overlapSeconds = OVERLAP_SECONDS;
  }

  /** null when `accessToken` may call cgi-bin now; otherwise WeChat's error body. */
  check(accessToken: string | null): ApiBody | null {
    const now = this.core.now();
    if (accessToken === null || accessToken === "") return wxError(41001, now);
    const token = this.tokens.get(accessToken);
    if (!token || token.refused) return wxError(40001, now);
    if (now >= token.expiresAt) {
      // A token replaced by a newer fetch is "not latest" (40001); one that outlived its 7200 s is 42001.
      return token.retired ? wxError(40001, now) : wxError(42001, now);
    }
    return null;
  }

  /** Mint a new current classic token; the previous one expires after the overlap. */
  issue(ttlSeconds = BASIC_TOKEN_TTL_SECONDS): IssuedToken {
    const token = this.mint("classic", ttlSeconds, this.current);
    this.current = token;
    return token;
  }

  currentToken(): IssuedToken | undefined {
    return this.current;
  }

  currentStableToken(): IssuedToken | undefined {
    return this.stableCurrent;
  }

  /** Limits for tests (e.g. a classic quota of 3 to reach 45009 quickly). Unnamed fields keep their value. */
  setQuota(quota: Partial<Record<keyof TokenQuota, unknown>>): void {
    const next = { ...this.quota };
    for (const key of ["classic", "stable", "stableForce"] as const) {
      const value = quota[key];
      if (value === undefined) continue;
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
        throw new SimulatorInputError(`${key} must be an integer >= 0`);
      }
      next[key] = value;
    }
    this.quota = next;
  }

  /** The overlap after a new fetch (default 300 s); 0 makes a replaced token fail at once. */
  setOverlap(seconds: unknown): void {
    if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
      throw new SimulatorInputError("seconds must be a number >= 0");
    }
    this.overlapSeconds = seconds;
  }

  /**
   * WeChat refuses this token from now on while stable_token keeps handing it out as current (seen
   * after an IP allow-list or account change): only force_refresh replaces it.
   */
  refuse(value: unknown): void {
    const token = typeof value === "string" ? this.tokens.get(value) : undefined;
    if (!token) throw new SimulatorInputError("value must be a token issued by this simulator");
    token.refused = true;
  }

  /** Every token issued so far stops working (e.g. the AppSecret was reset in the admin console). */
  invalidateAll(): void {
    this.tokens.clear();
    this.current = undefined;
    this.stableCurrent = undefined;
  }

  /** Fetches counted today (Beijing day), the limits, and the current tokens' expiry. */
  state(): Record<string, unknown> {
    const counts = this.today();
    const describe = (t: IssuedToken | undefined) =>
      t ? { issuedAt: t.issuedAt, expiresAt: t.expiresAt, prefix: t.value.slice(0, 8) } : null;
    return {
      now: this.core.now(),
      today: { classic: counts.classic, stable: counts.stable, stableForce: counts.stableForce },
      quota: { ...this.quota },
      overlapSeconds: this.overlapSeconds,
      classic: describe(this.current),
      stable: describe(this.stableCurrent),
      lastForceAt: this.lastForceAt ?? null,
    };
  }

  private mint(source: TokenSource, ttlSeconds: number, previous: IssuedToken | undefined): IssuedToken {
    const now = this.core.now();
    if (previous && previous.expiresAt > now + this.overlapSeconds * 1000) {
      previous.expiresAt = now + this.overlapSeconds * 1000;
      previous.retired = true;
    }
    // WeChat's tokens are long and opaque (store at least 512 characters); 136 here.
    const value = randomBytes(102).toString("base64url");
    const token: IssuedToken = { value, source, issuedAt: now, expiresAt: now + ttlSeconds * 1000 };
    this.tokens.set(value, token);
    return token;
  }

  private today(): DayCounts {
    const day = beijingDay(this.core.now());
    if (this.counts.day !== day) this.counts = { day, classic: 0, stable: 0, stableForce: 0 };
    return this.counts;
  }

  /** appid and secret checks shared by both APIs; null when they pass. */
  private credentialsError(appid: unknown, secret: unknown): ApiBody | null {
    const now = this.core.now();
    if (typeof appid !== "string" || appid !== this.core.appId) return wxError(40013, now);
    if (typeof secret !== "string" || secret === "") return wxError(41004, now);
    if (secret !== this.core.appSecret) return wxError(40125, now);
    return null;
  }

  private fetchClassic(req: UpstreamRequest): ApiBody {
    const now = this.core.now();
    if (req.method !== "GET") return wxError(43001, now, "require GET method");
    const q = req.query;
    if (q.get("grant_type") !== "client_credential") return wxError(40002, now);
    const refused = this.credentialsError(q.get("appid"), q.get("secret"));
    if (refused) return refused;
    const counts = this.today();
    if (counts.classic >= this.quota.classic) return wxError(45009, now);
    counts.classic++;
    const token = this.issue();
    return { access_token: token.value, expires_in: BASIC_TOKEN_TTL_SECONDS };
  }

  private fetchStable(req: UpstreamRequest): ApiBody {
    const now = this.core.now();
    if (req.method !== "POST") return wxError(43002, now);
    const body = parseJsonBody(req.body);
    if (!body) return wxError(47001, now);
    if (body.grant_type !== "client_credential") return wxError(40002, now);
    const refused = this.credentialsError(body.appid, body.secret);
    if (refused) return refused;
    const force = body.force_refresh;
    if (force !== undefined && typeof force !== "boolean") return wxError(40097, now, "invalid args");

    const counts = this.today();
    if (counts.stable >= this.quota.stable) return wxError(45009, now);
    if (force) {
      if (counts.stableForce >= this.quota.stableForce) return wxError(45009, now);
      if (this.lastForceAt !== undefined && now - this.lastForceAt < STABLE_FORCE_MIN_INTERVAL_SECONDS * 1000) {
        return wxError(45011, now, "api minute-quota reach limit  mustslower  retry next minute");
      }
    }
    counts.stable++;

    const current = this.stableCurrent;
    const left = current ? current.expiresAt - now : 0;
    if (!force && current && left > STABLE_RENEW_WINDOW_SECONDS * 1000) {
      return { access_token: current.value, expires_in: Math.floor(left / 1000) };
    }
    if (force) {
      counts.stableForce++;
      this.lastForceAt = now;
    }
    // Without force the previous token simply lives out its last minutes; force_refresh retires it.
    const token = this.mint("stable", BASIC_TOKEN_TTL_SECONDS, force ? current : undefined);
    this.stableCurrent = token;
    return { access_token: token.value, expires_in: BASIC_TOKEN_TTL_SECONDS };
  }
}
