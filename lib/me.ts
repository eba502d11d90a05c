// What the end user sees of themselves: GET /api/me and the profile refresh.
import { WeChatApiError } from "@/lib/wechat";
import { AppError } from "@/lib/errors";
import { getWebToken } from "@/lib/auth/web-token";
import { applyProfile } from "@/lib/users";
import type { AuthDeps } from "@/lib/auth/deps";

export interface MeView {
  id: string;
  openid: string | null;
  unionid: string | null;
  nickname: string | null;
  headimgurl: string | null;
  sex: number | null;
  province: string | null;
  city: string | null;
  country: string | null;
  scope: string;
  createdAt: string;
  lastLoginAt: string;
}

export async function getMe(deps: AuthDeps, userId: string | undefined): Promise<MeView> {
  if (!userId) throw new AppError("unauthenticated");
  const user = await deps.db.user.findUnique({
    where: { id: userId },
    include: { identities: { where: { appid: deps.appId }, select: { openid: true }, take: 1 } },
  });
  // A session whose person was merged away or deleted is simply not signed in.
  if (!user) throw new AppError("unauthenticated");
  return {
    id: user.id,
    openid: user.identities[0]?.openid ?? null,
    unionid: user.unionid,
    nickname: user.nickname,
    headimgurl: user.headimgurl,
    sex: user.sex,
    province: user.province,
    city: user.city,
    country: user.country,
    scope: user.scope,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt.toISOString(),
  };
}

const STALE_TOKEN_CODES = new Set([40001, 40014, 42001]);

/** Pulls the profile again with the stored web token (refreshed if it expired). */
export async function refreshProfile(deps: AuthDeps, userId: string | undefined): Promise<MeView> {
  if (!userId) throw new AppError("unauthenticated");
  let token = await getWebToken(deps, userId);
  if (token.scope !== "snsapi_userinfo") throw new AppError("need_userinfo");
  let profile;
  try {
    profile = await deps.oauth.getUserInfo(token.accessToken, token.openid, "zh_CN");
  } catch (err) {
    // Our clock said valid but WeChat disagrees: refresh once and try again.
    if (!(err instanceof WeChatApiError && STALE_TOKEN_CODES.has(err.errcode))) throw err;
    token = await getWebToken(deps, userId, token.version);
    profile = await deps.oauth.getUserInfo(token.accessToken, token.openid, "zh_CN");
  }
  return getMe(deps, await applyProfile(deps, userId, profile));
}
