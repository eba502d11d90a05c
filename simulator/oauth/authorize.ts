/**
 * Validation of the authorize link (`/connect/oauth2/authorize`), as strict as WeChat's.
 *
 * WeChat matches the whole query string with a pattern, so a link that a lenient OAuth server
 * would accept (parameters reordered, an extra parameter, redirect_uri not encoded) fails there.
 * This module checks the *raw* query, before any decoding, for that reason.
 */

export type Scope = "snsapi_base" | "snsapi_userinfo";

/** The only accepted order; `state` and the two extras are optional. */
export const AUTHORIZE_PARAM_ORDER = [
  "appid",
  "redirect_uri",
  "response_type",
  "scope",
  "state",
  "forcePopup",
  "connect_redirect",
] as const;

type AuthorizeParam = (typeof AUTHORIZE_PARAM_ORDER)[number];

export interface AuthorizeConfig {
  readonly appId: string;
  readonly openPlatformAppId: string;
  /** Lowercase hostnames; the redirect_uri's port is not compared. */
  readonly redirectDomains: readonly string[];
}

/** A request that passed every check. `redirectUri` is decoded (once). */
export interface AuthorizeRequest {
  readonly appid: string;
  readonly redirectUri: string;
  readonly responseType: "code";
  readonly scope: Scope;
  /** undefined when the link had no state parameter (then none is echoed back). */
  readonly state: string | undefined;
}

export interface AuthorizeError {
  /** WeChat's code, where WeChat has one for this failure. */
  readonly code?: number;
  /** Stable slug for failures WeChat shows without a code (the X-Sim-Error header uses code ?? reason). */
  readonly reason: string;
  /** Shown on the error page. */
  readonly message: string;
}

export type AuthorizeResult =
  { readonly ok: true; readonly request: AuthorizeRequest } | { readonly ok: false; readonly error: AuthorizeError };

const fail = (error: AuthorizeError): AuthorizeResult => ({ ok: false, error });

/** WeChat's authorize-page error table (code → text shown on the page). */
export const AUTHORIZE_ERRMSG: Readonly<Record<number, string>> = {
  10003: "redirect_uri域名与后台配置不一致",
  10004: "此公众号被封禁",
  10005: "此公众号并没有这些scope的权限",
  10006: "必须关注此测试号",
  10009: "操作太频繁了，请稍后重试",
  10010: "scope不能为空",
  10011: "redirect_uri不能为空",
  10012: "appid不能为空",
  10013: "state不能为空",
  10015: "公众号未授权第三方平台，请检查授权状态",
  10016: "不支持微信开放平台的Appid，请使用公众号Appid",
};

function wechatError(code: 10003 | 10005 | 10010 | 10011 | 10012 | 10016): AuthorizeError {
  return { code, reason: String(code), message: AUTHORIZE_ERRMSG[code] ?? "" };
}

/**
 * What a single encodeURIComponent / URLSearchParams / urlencode pass can produce: unreserved
 * characters, the few that encodeURIComponent leaves alone, `+` for space, and %XX escapes.
 * A raw `:` or `/` means the URL was not encoded; `%253A` means it was encoded twice.
 */
const ONCE_ENCODED = /^(?:[A-Za-z0-9\-_.!~*'()+]|%[0-9A-Fa-f]{2})*$/;
const STATE_PATTERN = /^[A-Za-z0-9]{0,128}$/;

/** Parse and validate the raw query string (without the leading `?`) of an authorize request. */
export function parseAuthorizeQuery(rawQuery: string, config: AuthorizeConfig): AuthorizeResult {
  const raw = new Map<AuthorizeParam, string>();
  let lastIndex = -1;
  for (const piece of rawQuery === "" ? [] : rawQuery.split("&")) {
    const eq = piece.indexOf("=");
    const key = eq === -1 ? piece : piece.slice(0, eq);
    const value = eq === -1 ? "" : piece.slice(eq + 1);
    const index = (AUTHORIZE_PARAM_ORDER as readonly string[]).indexOf(key);
    if (index === -1) {
      return fail({
        reason: "unknown_param",
        message: key === "" ? "链接中有空参数（多余的 &）" : `不支持的参数：${key}`,
      });
    }
    const param = AUTHORIZE_PARAM_ORDER[index] as AuthorizeParam;
    if (raw.has(param)) return fail({ reason: "duplicate_param", message: `参数重复：${param}` });
    if (index < lastIndex) {
      return fail({
        reason: "param_order",
        message: `参数顺序错误：必须为 ${AUTHORIZE_PARAM_ORDER.slice(0, 5).join("、")}，可选的 forcePopup、connect_redirect 只能放在最后`,
      });
    }
    lastIndex = index;
    raw.set(param, value);
  }

  const decoded: Partial<Record<AuthorizeParam, string>> = {};
  for (const [param, value] of raw) {
    if (param === "redirect_uri") continue; // checked on its raw form below
    try {
      decoded[param] = decodeURIComponent(value);
    } catch {
      return fail({ reason: "encoding", message: `参数编码错误：${param}` });
    }
  }

  return validateAuthorizeFields(
    {
      appid: decoded.appid,
      redirectUriRaw: raw.get("redirect_uri"),
      responseType: decoded.response_type,
      scope: decoded.scope,
      state: decoded.state,
    },
    config,
  );
}

export interface AuthorizeFields {
  readonly appid: string | undefined;
  /** Exactly one of these: the raw (encoded) query value, or an already decoded URL (from a form). */
  readonly redirectUriRaw?: string | undefined;
  readonly redirectUri?: string | undefined;
  readonly responseType: string | undefined;
  readonly scope: string | undefined;
  readonly state: string | undefined;
}

/**
 * The checks on the parameter values, in the order of the parameters. Shared by the authorize
 * page and the consent form's confirm endpoint (whose hidden fields a user could tamper with).
 */
export function validateAuthorizeFields(fields: AuthorizeFields, config: AuthorizeConfig): AuthorizeResult {
  const { appid } = fields;
  if (!appid) return fail(wechatError(10012));
  if (appid === config.openPlatformAppId) return fail(wechatError(10016));
  if (appid !== config.appId) return fail({ reason: "appid", message: `appid 无效：${appid}` });

  let redirectUri: string;
  if (fields.redirectUriRaw !== undefined) {
    if (fields.redirectUriRaw === "") return fail(wechatError(10011));
    if (!ONCE_ENCODED.test(fields.redirectUriRaw)) {
      return fail({
        reason: "redirect_uri_encoding",
        message: "redirect_uri 未经 urlEncode 编码（参数值中出现了未编码的 : / ? 等字符）",
      });
    }
    try {
      redirectUri = decodeURIComponent(fields.redirectUriRaw);
    } catch {
      return fail({ reason: "redirect_uri_encoding", message: "redirect_uri 编码错误" });
    }
    if (/^https?%3A/i.test(redirectUri)) {
      return fail({ reason: "redirect_uri_encoding", message: "redirect_uri 被重复编码（只能 urlEncode 一次）" });
    }
  } else {
    if (!fields.redirectUri) return fail(wechatError(10011));
    redirectUri = fields.redirectUri;
  }
  const url = parseHttpUrl(redirectUri);
  if (!url) return fail({ reason: "redirect_uri_invalid", message: "redirect_uri 必须是完整的 http(s) 地址" });
  // WeChat compares the host with the configured web-authorization domain: no subdomains, no port.
  if (!config.redirectDomains.includes(url.hostname.toLowerCase())) return fail(wechatError(10003));

  if (fields.responseType !== "code") {
    return fail({ reason: "response_type", message: "response_type 必须为 code" });
  }

  if (!fields.scope) return fail(wechatError(10010));
  if (fields.scope !== "snsapi_base" && fields.scope !== "snsapi_userinfo") return fail(wechatError(10005));

  // The limit is in bytes; with only ASCII letters and digits allowed, bytes == characters.
  if (fields.state !== undefined && !STATE_PATTERN.test(fields.state)) {
    return fail({ reason: "state", message: "state 只能包含 a-zA-Z0-9，最多 128 字节" });
  }

  return {
    ok: true,
    request: { appid, redirectUri, responseType: "code", scope: fields.scope, state: fields.state },
  };
}

function parseHttpUrl(value: string): URL | undefined {
  // The URL parser would silently strip or escape these; WeChat's pattern would not match them.
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return undefined;
  if (!/^https?:\/\//i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Append query parameters to the redirect_uri the way WeChat does: after its own query string if
 * it has one, and before any fragment (`https://h/#/spa` becomes `https://h/?code=C&state=S#/spa`).
 * The values (codes, states) are alphanumeric, so they need no encoding.
 */
export function appendToRedirect(redirectUri: string, params: ReadonlyArray<readonly [string, string]>): string {
  if (params.length === 0) return redirectUri;
  const hashAt = redirectUri.indexOf("#");
  const base = hashAt === -1 ? redirectUri : redirectUri.slice(0, hashAt);
  const fragment = hashAt === -1 ? "" : redirectUri.slice(hashAt);
  const query = params.map(([k, v]) => `${k}=${v}`).join("&");
  const separator = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
  return `${base}${separator}${query}${fragment}`;
}
