/**
 * Codes and web-authorization tokens, kept in memory. Times are simulator-clock milliseconds.
 */
import { randomBytes, randomInt } from "node:crypto";
import type { Scope } from "./authorize";

export interface CodeGrant {
  readonly userKey: string;
  readonly scope: Scope;
  readonly issuedAt: number;
  used: boolean;
}

export interface RefreshGrant {
  readonly userKey: string;
  readonly openid: string;
  readonly scope: Scope;
  /** The refresh_token's 30 days run from here; refreshing does not extend them. */
  readonly issuedAt: number;
  revoked: boolean;
}

export interface AccessGrant {
  readonly userKey: string;
  readonly openid: string;
  readonly scope: Scope;
  readonly issuedAt: number;
  revoked: boolean;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** WeChat codes are 32 alphanumeric characters. */
function newCode(): string {
  let code = "";
  for (let i = 0; i < 32; i++) code += ALNUM[randomInt(ALNUM.length)];
  return code;
}

/** Opaque tokens in WeChat's alphabet ([A-Za-z0-9_-]), long like the real ones. */
function newToken(): string {
  return randomBytes(66).toString("base64url");
}

export class GrantStore {
  private readonly codes = new Map<string, CodeGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();

  mintCode(userKey: string, scope: Scope, now: number): string {
    const code = newCode();
    this.codes.set(code, { userKey, scope, issuedAt: now, used: false });
    return code;
  }

  code(code: string): CodeGrant | undefined {
    return this.codes.get(code);
  }

  mintRefreshToken(grant: Omit<RefreshGrant, "revoked">): string {
    const token = newToken();
    this.refreshTokens.set(token, { ...grant, revoked: false });
    return token;
  }

  refreshToken(token: string): RefreshGrant | undefined {
    return this.refreshTokens.get(token);
  }

  mintAccessToken(grant: Omit<AccessGrant, "revoked">): string {
    const token = newToken();
    this.accessTokens.set(token, { ...grant, revoked: false });
    return token;
  }

  accessToken(token: string): AccessGrant | undefined {
    return this.accessTokens.get(token);
  }

  /** The user withdrew the authorization: every token issued to them so far stops working. */
  revokeOpenid(openid: string): void {
    for (const grant of this.refreshTokens.values()) if (grant.openid === openid) grant.revoked = true;
    for (const grant of this.accessTokens.values()) if (grant.openid === openid) grant.revoked = true;
  }

  clear(): void {
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }
}
