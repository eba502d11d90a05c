/**
 * WeChat Official Account web authorization (网页授权): the authorize link, the code exchange, token
 * refresh, the profile, and the token check. Endpoints are constructor data so the simulator, the
 * api2 disaster-recovery host and tests can stand in for WeChat.
 */
import { z } from "zod";
import { WeChatApiError, WeChatTransportError } from "./errors";
import { ApiHosts, callWithFailover } from "./hosts";
import type { WeChatApiCall, WeChatHttpOptions } from "./http";
import { storableText } from "./text";

export type OAuthScope = "snsapi_base" | "snsapi_userinfo";

export interface WeChatOAuthConfig {
  appId: string;
  appSecret: string;
  /** e.g. https://open.weixin.qq.com */
  oauthBase: string;
  /**
   * e.g. https://api.weixin.qq.com; or the process's ApiHosts (primary and api2 backup), so that the
   * login's calls share the host health of the cgi-bin calls and fail over with them.
   */
  apiBase: string | ApiHosts;
}

export interface WebToken {
  readonly accessToken: string;
  /** Seconds, as WeChat sent it (normally 7200). */
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly openid: string;
  readonly scopes: readonly string[];
  /** The user is on a "snapshot page": openid, unionid and profile are virtual; do not store them. */
  readonly isSnapshotUser: boolean;
  readonly unionid: string | null;
}

export interface WeChatUserInfo {
  readonly openid: string;
  readonly nickname: string;
  /** 0 unknown, 1 male, 2 female. */
  readonly sex: 0 | 1 | 2;
  readonly province: string;
  readonly city: string;
  readonly country: string;
  /** Stops working when the user changes avatar: copy it if it is shown later. */
  readonly headimgurl: string;
  readonly privilege: readonly string[];
  readonly unionid: string | null;
}

const SCOPES: readonly OAuthScope[] = ["snsapi_base", "snsapi_userinfo"];
const STATE_PATTERN = /^[A-Za-z0-9]{1,128}$/;
const STATE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** 62 * 4: bytes at or above this would make the first 8 characters likelier than the rest. */
const STATE_BYTE_LIMIT = 248;

/** Token errors on /sns/auth that mean "this token is no good", as opposed to "something broke". */
const INVALID_TOKEN_CODES: ReadonlySet<number> = new Set([40001, 40003, 40014, 42001]);

/** WeChat only accepts `[a-zA-Z0-9]`, at most 128 bytes, and shows error 10013 for an empty state. */
export function isValidState(state: string): boolean {
  return typeof state === "string" && STATE_PATTERN.test(state);
}

/** Random alphanumeric state; rejection sampling keeps every character equally likely. */
export function generateState(randomBytes: (n: number) => Uint8Array, length = 32): string {
  if (!Number.isInteger(length) || length < 1 || length > 128) {
    throw new RangeError("state length must be an integer from 1 to 128");
  }
  let out = "";
  // A real source needs about 1.03 rounds; the cap only stops a broken source from looping forever.
  for (let round = 0; out.length < length; round++) {
    if (round >= 64) throw new Error("randomBytes keeps returning unusable bytes");
    const bytes = randomBytes(length - out.length + 8);
    for (const byte of bytes) {
      if (byte >= STATE_BYTE_LIMIT) continue;
      out += STATE_ALPHABET[byte % STATE_ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

// --- Boundary schemas: raw WeChat JSON in, readonly typed values out ---

/** WeChat documents numbers; tolerate numeric strings rather than fail a login over quoting. */
const numeric = (value: unknown): unknown =>
  typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;

/** Profile text, absent as "", with what no database can store replaced (see text.ts). */
const text = z
  .string()
  .nullish()
  .transform((v) => storableText(v ?? ""));

/** Empty string and absence mean the same thing: no unionid (the account is not bound to Open Platform). */
const optionalId = z
  .string()
  .nullish()
  .transform((v) => (v ? v : null));

const webTokenSchema = z
  .object({
    access_token: z.string().min(1),
    expires_in: z.preprocess(numeric, z.number().finite().positive()),
    refresh_token: z.string().min(1),
    openid: z.string().min(1),
    scope: text,
    is_snapshotuser: z.preprocess(numeric, z.union([z.literal(0), z.literal(1)])).optional(),
    unionid: optionalId,
  })
  .transform((raw): WebToken =>
    Object.freeze({
      accessToken: raw.access_token,
      expiresIn: raw.expires_in,
      refreshToken: raw.refresh_token,
      openid: raw.openid,
      scopes: Object.freeze(parseScopes(raw.scope)),
      isSnapshotUser: raw.is_snapshotuser === 1,
      unionid: raw.unionid,
    }),
  );

const userInfoSchema = z
  .object({
    openid: z.string().min(1),
    nickname: text,
    sex: z.unknown().transform((v): 0 | 1 | 2 => {
      const n = numeric(v);
      return n === 1 ? 1 : n === 2 ? 2 : 0;
    }),
    province: text,
    city: text,
    country: text,
    headimgurl: text,
    privilege: z
      .array(z.string())
      .nullish()
      .transform((v) => v ?? []),
    unionid: optionalId,
  })
  .transform((raw): WeChatUserInfo =>
    Object.freeze({
      openid: raw.openid,
      nickname: raw.nickname,
      sex: raw.sex,
      province: raw.province,
      city: raw.city,
      country: raw.country,
      headimgurl: raw.headimgurl,
      privilege: Object.freeze(raw.privilege),
      unionid: raw.unionid,
    }),
  );

/** Errors arrive as WeChatApiError before the schema runs, so only success reaches this. */
const checkTokenSchema = z.object({
  errcode: z.preprocess(numeric, z.literal(0)).optional(),
  errmsg: z.string().optional(),
});

function parseScopes(scope: string): string[] {
  return scope.split(/[\s,]+/).filter((s) => s !== "");
}

function trimTrailingSlashes(base: string): string {
  return base.replace(/\/+$/, "");
}

function requireNonEmpty(value: unknown, name: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

function requireHttpBase(value: unknown, name: string): string {
  const base = trimTrailingSlashes(requireNonEmpty(value, name));
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`${name} must be http(s)`);
  if (url.search !== "" || url.hash !== "") throw new TypeError(`${name} must not have a query or fragment`);
  return base;
}

export class WeChatOAuth {
  readonly #appId: string;
  // Private so that logging or serialising the client cannot print the secret.
  readonly #appSecret: string;
  readonly #oauthBase: string;
  readonly #hosts: ApiHosts;
  readonly #http: WeChatHttpOptions;

  constructor(config: WeChatOAuthConfig, http: WeChatHttpOptions = {}) {
    this.#appId = requireNonEmpty(config.appId, "appId");
    this.#appSecret = requireNonEmpty(config.appSecret, "appSecret");
    this.#oauthBase = requireHttpBase(config.oauthBase, "oauthBase");
    this.#hosts =
      config.apiBase instanceof ApiHosts
        ? config.apiBase
        : new ApiHosts({ primary: requireHttpBase(config.apiBase, "apiBase") });
    this.#http = { ...http };
  }

  get appId(): string {
    return this.#appId;
  }

  /**
   * The link to send the user to. WeChat matches it against a strict pattern, so the parameters are
   * written out by hand in the documented order; URLSearchParams would hide that contract.
   */
  createAuthorizationURL(args: {
    redirectUri: string;
    scope: OAuthScope;
    state: string;
    forcePopup?: boolean;
  }): string {
    const redirectUri = requireNonEmpty(args.redirectUri, "redirectUri");
    let parsed: URL;
    try {
      parsed = new URL(redirectUri);
    } catch {
      throw new TypeError("redirectUri must be an absolute URL");
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      throw new TypeError("redirectUri must be http(s)");
    }
    if (!SCOPES.includes(args.scope)) throw new TypeError(`scope must be one of ${SCOPES.join(", ")}`);
    if (!isValidState(args.state)) throw new TypeError("state must match [A-Za-z0-9]{1,128}");

    return (
      `${this.#oauthBase}/connect/oauth2/authorize` +
      `?appid=${encodeURIComponent(this.#appId)}` +
      `&redirect_uri=${encodeURIComponent(redirectUri)}` +
      `&response_type=code` +
      `&scope=${args.scope}` +
      `&state=${args.state}` +
      (args.forcePopup ? `&forcePopup=true` : "") +
      // Stops WeChat from calling the callback twice, which would replay the single-use code.
      `&connect_redirect=1` +
      `#wechat_redirect`
    );
  }

  /**
   * Trades the callback's code for a web token. Never retried, on either host: the code is single-use
   * (a host failure still moves the next calls to the backup).
   */
  async exchangeCode(code: string): Promise<WebToken> {
    return this.#call("/sns/oauth2/access_token", webTokenSchema, false, [
      ["appid", this.#appId],
      ["secret", this.#appSecret],
      ["code", requireNonEmpty(code, "code")],
      ["grant_type", "authorization_code"],
    ]);
  }

  /** The refresh_token lives 30 days and is not extended; 42002/40030 mean the user must authorize again. */
  async refreshToken(refreshToken: string): Promise<WebToken> {
    return this.#call("/sns/oauth2/refresh_token", webTokenSchema, true, [
      ["appid", this.#appId],
      ["grant_type", "refresh_token"],
      ["refresh_token", requireNonEmpty(refreshToken, "refreshToken")],
    ]);
  }

  /** Needs a token granted snsapi_userinfo; otherwise WeChat answers 48001. */
  async getUserInfo(
    accessToken: string,
    openid: string,
    lang: "zh_CN" | "zh_TW" | "en" = "zh_CN",
  ): Promise<WeChatUserInfo> {
    const endpoint = "/sns/userinfo";
    const info = await this.#call(endpoint, userInfoSchema, true, [
      ["access_token", requireNonEmpty(accessToken, "accessToken")],
      ["openid", requireNonEmpty(openid, "openid")],
      ["lang", lang],
    ]);
    // A profile for someone else must never be attached to this user.
    if (info.openid !== openid) {
      throw new WeChatTransportError({
        kind: "bad_response",
        endpoint,
        status: 200,
        message: "returned a profile for a different openid",
      });
    }
    return info;
  }

  /** True when the token is valid for this openid, false when WeChat says it is not; throws otherwise. */
  async checkToken(accessToken: string, openid: string): Promise<boolean> {
    try {
      await this.#call("/sns/auth", checkTokenSchema, true, [
        ["access_token", requireNonEmpty(accessToken, "accessToken")],
        ["openid", requireNonEmpty(openid, "openid")],
      ]);
      return true;
    } catch (error) {
      if (error instanceof WeChatApiError && INVALID_TOKEN_CODES.has(error.errcode)) return false;
      throw error;
    }
  }

  /** One GET on the healthy host (failing over per callWithFailover's rules). */
  async #call<T>(
    endpoint: string,
    schema: WeChatApiCall<T>["schema"],
    idempotent: boolean,
    params: readonly (readonly [string, string])[],
  ): Promise<T> {
    const build = (base: string): WeChatApiCall<T> => {
      const url = new URL(`${base}${endpoint}`);
      for (const [key, value] of params) url.searchParams.append(key, value);
      return { url, schema, idempotent, endpoint };
    };
    return (await callWithFailover(this.#hosts, build, this.#http)).value;
  }
}
