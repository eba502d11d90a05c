/**
 * The api.weixin.qq.com endpoints of web authorization (`/sns/...`).
 *
 * Each handler takes the query parameters and returns the JSON body. WeChat answers errors with
 * HTTP 200 and `{"errcode","errmsg"}`, so every outcome here is a body; the server sends them all
 * as text/plain.
 */
import { wxError, type ApiBody } from "../errors";
import { apiReply } from "../http/reply";
import { route, type Route } from "../http/router";
import type { Region, TestUser } from "../users";
import type { GrantStore } from "./grants";

export const CODE_TTL_SECONDS = 5 * 60;
export const ACCESS_TOKEN_TTL_SECONDS = 7200;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** What the /sns endpoints read of the world. */
export interface ApiContext {
  readonly appId: string;
  readonly appSecret: string;
  readonly grants: GrantStore;
  now(): number;
  userByKey(key: string): TestUser | undefined;
}

const elapsedSeconds = (ctx: ApiContext, since: number): number => (ctx.now() - since) / 1000;

interface TokenGrant {
  readonly scope: "snsapi_base" | "snsapi_userinfo";
}

function tokenBody(accessToken: string, refreshToken: string, grant: TokenGrant, user: TestUser): ApiBody {
  const body: ApiBody = {
    access_token: accessToken,
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: refreshToken,
    openid: user.openid,
    scope: grant.scope,
  };
  if (user.snapshot) body.is_snapshotuser = 1;
  // unionid comes only with snsapi_userinfo, and only for users of an Open Platform-bound account.
  if (grant.scope === "snsapi_userinfo" && user.unionid) body.unionid = user.unionid;
  return body;
}

/** GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code */
export function exchangeCode(q: URLSearchParams, ctx: ApiContext): ApiBody {
  const now = ctx.now();
  if (q.get("appid") !== ctx.appId) return wxError(40013, now);
  const secret = q.get("secret");
  if (!secret) return wxError(41004, now);
  if (secret !== ctx.appSecret) return wxError(40125, now);
  if (q.get("grant_type") !== "authorization_code") return wxError(40002, now);
  const code = q.get("code");
  if (!code) return wxError(41008, now);

  const grant = ctx.grants.code(code);
  // An expired code is gone on WeChat's side: it is "invalid", not "used".
  if (!grant || elapsedSeconds(ctx, grant.issuedAt) >= CODE_TTL_SECONDS) return wxError(40029, now);
  if (grant.used) return wxError(40163, now);
  const user = ctx.userByKey(grant.userKey);
  if (!user) return wxError(40029, now);

  grant.used = true;
  const refreshToken = ctx.grants.mintRefreshToken({
    userKey: user.key,
    openid: user.openid,
    scope: grant.scope,
    issuedAt: now,
  });
  const accessToken = ctx.grants.mintAccessToken({
    userKey: user.key,
    openid: user.openid,
    scope: grant.scope,
    issuedAt: now,
  });
  return tokenBody(accessToken, refreshToken, grant, user);
}

/** GET /sns/oauth2/refresh_token?appid&grant_type=refresh_token&refresh_token */
export function refreshToken(q: URLSearchParams, ctx: ApiContext): ApiBody {
  const now = ctx.now();
  if (q.get("appid") !== ctx.appId) return wxError(40013, now);
  if (q.get("grant_type") !== "refresh_token") return wxError(40002, now);
  const token = q.get("refresh_token");
  if (!token) return wxError(41003, now);

  const grant = ctx.grants.refreshToken(token);
  if (!grant || grant.revoked) return wxError(40030, now);
  if (elapsedSeconds(ctx, grant.issuedAt) >= REFRESH_TOKEN_TTL_SECONDS) return wxError(42002, now);
  const user = ctx.userByKey(grant.userKey);
  if (!user) return wxError(40030, now);

  // A new access token; earlier ones keep working until their own expiry. Same refresh_token back.
  const accessToken = ctx.grants.mintAccessToken({
    userKey: user.key,
    openid: user.openid,
    scope: grant.scope,
    issuedAt: now,
  });
  return tokenBody(accessToken, token, grant, user);
}

type AccessCheck =
  | { readonly ok: true; readonly user: TestUser; readonly scope: "snsapi_base" | "snsapi_userinfo" }
  | { readonly ok: false; readonly body: ApiBody };

/** The checks /sns/userinfo and /sns/auth share: token present, known, live, and for this openid. */
function checkAccess(q: URLSearchParams, ctx: ApiContext): AccessCheck {
  const now = ctx.now();
  const token = q.get("access_token");
  if (!token) return { ok: false, body: wxError(41001, now) };
  const grant = ctx.grants.accessToken(token);
  if (!grant || grant.revoked) return { ok: false, body: wxError(40001, now) };
  if (elapsedSeconds(ctx, grant.issuedAt) >= ACCESS_TOKEN_TTL_SECONDS) return { ok: false, body: wxError(42001, now) };
  const openid = q.get("openid");
  if (!openid) return { ok: false, body: wxError(41009, now) };
  if (openid !== grant.openid) return { ok: false, body: wxError(40003, now) };
  const user = ctx.userByKey(grant.userKey);
  if (!user) return { ok: false, body: wxError(40001, now) };
  return { ok: true, user, scope: grant.scope };
}

const LANGS = ["zh_CN", "zh_TW", "en"] as const;
type Lang = (typeof LANGS)[number];

function regionFor(user: TestUser, lang: Lang): Region {
  const base: Region = { province: user.province, city: user.city, country: user.country };
  if (lang === "zh_CN") return base;
  return user.regions?.[lang] ?? base;
}

/** GET /sns/userinfo?access_token&openid&lang */
export function getUserInfo(q: URLSearchParams, ctx: ApiContext): ApiBody {
  const check = checkAccess(q, ctx);
  if (!check.ok) return check.body;
  if (check.scope !== "snsapi_userinfo") return wxError(48001, ctx.now());

  // lang is optional and WeChat documents no default. Developers' reports (SDKs adding lang=zh_CN
  // "to get Chinese") suggest the regions come back in English without it, so that is what the
  // simulator does: an app that forgets lang sees it at once. An unsupported value is refused with
  // 40002; WeChat's real answer to that is not documented. See README.
  const langParam = q.get("lang");
  let lang: Lang = "en";
  if (langParam !== null) {
    if (!(LANGS as readonly string[]).includes(langParam)) return wxError(40002, ctx.now(), "invalid lang");
    lang = langParam as Lang;
  }

  const { user } = check;
  const region = regionFor(user, lang);
  const body: ApiBody = {
    openid: user.openid,
    nickname: user.nickname,
    sex: user.sex,
    province: region.province,
    city: region.city,
    country: region.country,
    headimgurl: user.headimgurl,
    privilege: [],
  };
  if (user.unionid) body.unionid = user.unionid;
  return body;
}

/** GET /sns/auth?access_token&openid */
export function checkAccessToken(q: URLSearchParams, ctx: ApiContext): ApiBody {
  const check = checkAccess(q, ctx);
  if (!check.ok) return check.body;
  return { errcode: 0, errmsg: "ok" };
}

export function snsRoutes(ctx: ApiContext): Route[] {
  // Parameters are read from the query string only, where WeChat documents them; a client that
  // sends them in a POST body gets the "missing parameter" errcodes.
  const sns = (path: string, handler: (q: URLSearchParams, ctx: ApiContext) => ApiBody) =>
    route(["GET", "POST"], path, (req) => apiReply(handler(req.query, ctx)));
  return [
    sns("/sns/oauth2/access_token", exchangeCode),
    sns("/sns/oauth2/refresh_token", refreshToken),
    sns("/sns/userinfo", getUserInfo),
    sns("/sns/auth", checkAccessToken),
  ];
}
