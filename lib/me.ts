// What the end user sees of themselves: GET /api/me and the profile refresh.
import { avatarUrl } from "@/lib/avatar";
import { isStaleTokenError } from "@/lib/wechat/token";
import { AppError, asksToReauthorize } from "@/lib/errors";
import { getWebToken } from "@/lib/auth/web-token";
import { applyProfile } from "@/lib/users";
import type { AuthDeps } from "@/lib/auth/deps";
import type { EndUserSession } from "@/lib/session";
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
  validAfter: Date | string | null;
  revoked: number | boolean | null;
};

/**
 * The signed-in person, if `session` is still in force: not signed out (RevokedSession), not ended by
 * 退出所有设备 or a block (User.sessionsValidAfter); otherwise "unauthenticated". Read in the same one
 * statement as the person, so checking costs /api/me two columns and nothing more.
 */
export async function getMe(deps: AuthDeps, session: EndUserSession | undefined): Promise<MeView> {
  if (!session) throw new AppError("unauthenticated");
  const user = await readPerson(deps, session.userId, session.sid);
  if (user.revoked) throw new AppError("unauthenticated", { detail: "session signed out" });
  if (user.validAfter !== null && session.signedInAt < new Date(user.validAfter).getTime()) {
    throw new AppError("unauthenticated", { detail: "session ended on every device" });
  }
  return view(user);
}

async function readPerson(deps: AuthDeps, userId: string, sid: string): Promise<MeRow> {
  // One statement instead of findUnique + include (two queries, each compiled by Prisma 6 on every call),
  // on the driver with a prepared statement (lib/db/reader.ts): this is the hottest read of the app
  // (bench/: /api/me beside the framework's floor).
  const rows = await readRows<MeRow>(
    deps.db,
    Prisma.sql`
    SELECT u."id", u."unionid", u."nickname", u."headimgurl", u."sex", u."province", u."city", u."country",
           u."scope", u."createdAt", u."lastLoginAt",
           (SELECT i."openid" FROM "Identity" i WHERE i."userId" = u."id" AND i."appid" = ${deps.appId} LIMIT 1) AS "openid",
           u."sessionsValidAfter" AS "validAfter",
           (SELECT 1 FROM "RevokedSession" r WHERE r."sid" = ${sid}) AS "revoked"
    FROM "User" u WHERE u."id" = ${userId}`,
  );
  const user = rows[0];
  // A session whose person was merged away or deleted is simply not signed in.
  if (!user) throw new AppError("unauthenticated");
  return user;
}

function view(user: MeRow): MeView {
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

/** A person may ask for their profile again once a minute: each costs the account two WeChat calls. */
export const PROFILE_REFRESH_INTERVAL_MS = 60_000;

/**
 * POST /api/me/profile/refresh: for a session in force, at most once per PROFILE_REFRESH_INTERVAL_MS per
 * person across instances, claimed with a conditional update before any WeChat call
 * ("profile_refresh_limited" with the seconds to wait otherwise). A refresh that ends in "authorize
 * again" gives its turn back: the person comes back from WeChat's consent page and tries at once.
 */
export async function refreshOwnProfile(deps: AuthDeps, session: EndUserSession | undefined): Promise<MeView> {
  const { id: userId } = await getMe(deps, session);
  const now = deps.now();
  const claimed = await deps.db.user.updateMany({
    where: {
      id: userId,
      OR: [
        { profileRefreshedAt: null },
        { profileRefreshedAt: { lte: new Date(now.getTime() - PROFILE_REFRESH_INTERVAL_MS) } },
      ],
    },
    data: { profileRefreshedAt: now },
  });
  if (claimed.count === 0) {
    const row = await deps.db.user.findUnique({ where: { id: userId }, select: { profileRefreshedAt: true } });
    const last = row?.profileRefreshedAt?.getTime() ?? now.getTime();
    const wait = Math.max(1, Math.ceil((last + PROFILE_REFRESH_INTERVAL_MS - now.getTime()) / 1000));
    throw new AppError("profile_refresh_limited", { retryAfterSeconds: wait });
  }
  try {
    return await refreshProfile(deps, userId);
  } catch (err) {
    if (asksToReauthorize(err)) {
      await deps.db.user.updateMany({
        where: { id: userId, profileRefreshedAt: now },
        data: { profileRefreshedAt: null },
      });
    }
    throw err;
  }
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
  return view(await readPerson(deps, await applyProfile(deps, userId, profile), ""));
}
