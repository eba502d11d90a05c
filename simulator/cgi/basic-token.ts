/**
 * The account's basic access_token (cgi-bin/token). A new fetch makes the previous token expire
 * after a 5-minute overlap: holders of the old one keep working that long, then get 40001.
 *
 * `check()` is what every other cgi-bin route calls first.
 */
import { randomBytes } from "node:crypto";
import { wxError, type ApiBody } from "../api";
import type { SimCore, SimExtension, UpstreamRequest } from "../extension";

export const BASIC_TOKEN_TTL_SECONDS = 7200;
/** How long the previous token keeps working after a new fetch. */
export const OVERLAP_SECONDS = 5 * 60;

interface IssuedToken {
  readonly value: string;
  readonly issuedAt: number;
  /** ms epoch; lowered to now + overlap when a newer token is fetched */
  expiresAt: number;
}

export class BasicTokens implements SimExtension {
  private tokens = new Map<string, IssuedToken>();
  private current: IssuedToken | undefined;

  constructor(private readonly core: SimCore) {}

  readonly routes = {
    "/cgi-bin/token": (req: UpstreamRequest): ApiBody => this.fetchClassic(req),
  };

  reset(): void {
    this.tokens.clear();
    this.current = undefined;
  }

  /** null when `accessToken` may call cgi-bin now; otherwise WeChat's error body. */
  check(accessToken: string | null): ApiBody | null {
    const now = this.core.now();
    if (accessToken === null || accessToken === "") return wxError(41001, now);
    const token = this.tokens.get(accessToken);
    if (!token) return wxError(40001, now);
    if (now >= token.expiresAt) {
      // A token replaced by a newer fetch is "not latest" (40001); one that outlived its 7200 s is 42001.
      return token === this.current ? wxError(42001, now) : wxError(40001, now);
    }
    return null;
  }

  /** Mint a new current token; the previous one expires after the overlap. */
  issue(ttlSeconds = BASIC_TOKEN_TTL_SECONDS): IssuedToken {
    const now = this.core.now();
    if (this.current) {
      this.current.expiresAt = Math.min(this.current.expiresAt, now + OVERLAP_SECONDS * 1000);
    }
    // WeChat's tokens are long and opaque (store at least 512 characters); 136 here.
    const value = randomBytes(102).toString("base64url");
    const token: IssuedToken = { value, issuedAt: now, expiresAt: now + ttlSeconds * 1000 };
    this.tokens.set(value, token);
    this.current = token;
    return token;
  }

  currentToken(): IssuedToken | undefined {
    return this.current;
  }

  private fetchClassic(req: UpstreamRequest): ApiBody {
    const now = this.core.now();
    if (req.method !== "GET") return wxError(43001, now, "require GET method");
    const q = req.query;
    if (q.get("grant_type") !== "client_credential") return wxError(40002, now);
    const appid = q.get("appid");
    if (!appid || appid !== this.core.appId) return wxError(40013, now);
    const secret = q.get("secret");
    if (!secret) return wxError(41004, now);
    if (secret !== this.core.appSecret) return wxError(40125, now);
    const token = this.issue();
    return { access_token: token.value, expires_in: BASIC_TOKEN_TTL_SECONDS };
  }
}
