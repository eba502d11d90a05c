// What the end user sees of themselves: GET /api/me and the profile refresh.
import { avatarUrl } from "@/lib/avatar";
import { isStaleTokenError } from "@/lib/wechat/token";
import { AppError } from "@/lib/errors";
import { getWebToken } from "@/lib/auth/web-token";
import { applyProfile } from "@/lib/users";
import type { AuthDeps } from "@/lib/auth/deps";
import { Prisma } from "@/lib/generated/sqlite/client";
import { readRows } from "@/lib/db";

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

// Dates as Date (PostgreSQL) or Prisma's ISO text (SQLite); sex may come back as a bigint.
type MeRow = Omit<MeView, "createdAt" | "lastLoginAt" | "sex"> & {
  createdAt: Date | string;
  lastLoginAt: Date | string;
  sex: number | bigint | null;
};

export async function getMe(deps: AuthDeps, userId: string | undefined): Promise<MeView> {
  if (!userId) throw new AppError("unauthenticated");
  // One statement instead of findUnique + include (two queries, each compiled by Prisma 6 on every call),
  // on the driver with a prepared statement (lib/db/reader.ts): this is the hottest read of the app
  // (bench/: /api/me beside the framework's floor).
  const rows = await readRows<MeRow>(
    deps.db,
    Prisma.sql`
    SELECT u."id", u."unionid", u."nickname", u."headimgurl", u."sex", u."province", u."city", u."country",
           u."scope", u."createdAt", u."lastLoginAt",
           (SELECT i."openid" FROM "Identity" i WHERE i."userId" = u."id" AND i."appid" = ${deps.appId} LIMIT 1) AS "openid"
    FROM "User" u WHERE u."id" = ${userId}`,
  );
  const user = rows[0];
  // A session whose person was merged away or deleted is simply not signed in.
  if (!user) throw new AppError("unauthenticated");
  return {
    id: user.id,
    openid: user.openid ?? null,
    unionid: user.unionid,
    nickname: user.nickname,
    headimgurl: avatarUrl(user.headimgurl),
    sex: user.sex === null ? null : Number(user.sex),
    province: user.province,
    city: user.city,
    country: user.country,
    scope: user.scope,
    createdAt: new Date(user.createdAt).toISOString(),
    lastLoginAt: new Date(user.lastLoginAt).toISOString(),
  };
}

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
    if (!isStaleTokenError(err)) throw err;
    token = await getWebToken(deps, userId, token.version);
    profile = await deps.oauth.getUserInfo(token.accessToken, token.openid, "zh_CN");
  }
  return getMe(deps, await applyProfile(deps, userId, profile));
}
