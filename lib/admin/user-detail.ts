import "server-only";
// One person as the admin console shows them: profile, every identity, the latest logins. The sealed
// web tokens never leave the database: identities are read with an explicit column list, and whether a
// token can still be refreshed is decided by the database (a stored refresh token whose expiry is in
// the future), so even its ciphertext is never loaded.
import type { Db } from "@/lib/db";
import { avatarUrl } from "@/lib/avatar";

/** Logins shown on a user's page, newest first. */
export const LOGIN_HISTORY_LIMIT = 50;

export interface IdentityDetail {
  readonly appid: string;
  readonly openid: string;
  readonly scope: string;
  readonly createdAt: Date;
  readonly lastLoginAt: Date;
  readonly accessTokenExpiresAt: Date | null;
  readonly refreshTokenExpiresAt: Date | null;
  /** a refresh token is stored and has not expired: the server can still get a web token without the user */
  readonly refreshable: boolean;
}

export interface LoginDetail {
  readonly id: string;
  readonly createdAt: Date;
  readonly appid: string;
  readonly scope: string;
  readonly userAgent: string | null;
  readonly ip: string | null;
}

export interface UserDetail {
  readonly id: string;
  readonly unionid: string | null;
  readonly nickname: string | null;
  readonly headimgurl: string | null;
  readonly sex: number | null;
  readonly province: string | null;
  readonly city: string | null;
  readonly country: string | null;
  readonly scope: string;
  readonly userinfoAt: Date | null;
  readonly subscribed: boolean | null;
  readonly subscribedAt: Date | null;
  readonly remark: string | null;
  readonly snapshotAttempts: number;
  readonly createdAt: Date;
  readonly lastLoginAt: Date;
  readonly identities: readonly IdentityDetail[];
  /** the latest LOGIN_HISTORY_LIMIT logins, newest first */
  readonly logins: readonly LoginDetail[];
}

/** The person with this id, or null when there is none. */
export async function getUserDetail(deps: { db: Db; now: () => Date }, id: string): Promise<UserDetail | null> {
  const { db } = deps;
  const now = deps.now();
  const [user, identities, refreshable, logins] = await Promise.all([
    db.user.findUnique({
      where: { id },
      select: {
        id: true,
        unionid: true,
        nickname: true,
        headimgurl: true,
        sex: true,
        province: true,
        city: true,
        country: true,
        scope: true,
        userinfoAt: true,
        subscribed: true,
        subscribedAt: true,
        remark: true,
        snapshotAttempts: true,
        createdAt: true,
        lastLoginAt: true,
      },
    }),
    db.identity.findMany({
      where: { userId: id },
      // Never accessTokenEnc / refreshTokenEnc.
      select: {
        id: true,
        appid: true,
        openid: true,
        scope: true,
        createdAt: true,
        lastLoginAt: true,
        accessTokenExpiresAt: true,
        refreshTokenExpiresAt: true,
      },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    }),
    db.identity.findMany({
      where: { userId: id, refreshTokenEnc: { not: null }, refreshTokenExpiresAt: { gt: now } },
      select: { id: true },
    }),
    db.loginEvent.findMany({
      where: { userId: id },
      select: { id: true, createdAt: true, appid: true, scope: true, userAgent: true, ip: true },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: LOGIN_HISTORY_LIMIT,
    }),
  ]);
  if (!user) return null;
  const refreshableIds = new Set(refreshable.map((r) => r.id));
  return {
    ...user,
    headimgurl: avatarUrl(user.headimgurl),
    identities: identities.map(({ id: identityId, ...identity }) => ({
      ...identity,
      refreshable: refreshableIds.has(identityId),
    })),
    logins,
  };
}

/** "YYYY-MM-DD HH:mm:ss" in Asia/Shanghai (UTC+8, no DST), whatever the server's time zone. */
export function formatShanghai(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");
}

/**
 * A short description of a user agent for a table cell, e.g. "iPhone 微信 8.0.50", "Android 微信 8.0.49",
 * "Windows 微信 3.9.12", "Mac Chrome 126"; the full string belongs in a title attribute.
 */
export function summarizeUserAgent(ua: string | null): string {
  if (!ua) return "未知";
  const device = /iPhone/.test(ua)
    ? "iPhone"
    : /iPad/.test(ua)
      ? "iPad"
      : /HarmonyOS|OpenHarmony/i.test(ua)
        ? "HarmonyOS"
        : /Android/.test(ua)
          ? "Android"
          : /Windows/.test(ua)
            ? "Windows"
            : /Macintosh|Mac OS X/.test(ua)
              ? "Mac"
              : /Linux/.test(ua)
                ? "Linux"
                : "";
  const app = ((): string => {
    let m: RegExpMatchArray | null;
    if ((m = ua.match(/wxwork\/(\d+(?:\.\d+){0,2})/i))) return `企业微信 ${m[1]}`;
    // "8.0.49.2600(0x28003133)" on Android: the first three parts are the version users know.
    if ((m = ua.match(/MicroMessenger\/(\d+(?:\.\d+){0,2})/i))) return `微信 ${m[1]}`;
    if ((m = ua.match(/Edg\/(\d+)/))) return `Edge ${m[1]}`;
    if ((m = ua.match(/Firefox\/(\d+)/))) return `Firefox ${m[1]}`;
    if ((m = ua.match(/(?:Chrome|CriOS)\/(\d+)/))) return `Chrome ${m[1]}`;
    if ((m = ua.match(/Version\/(\d+)[\d.]* .*Safari\//))) return `Safari ${m[1]}`;
    return "";
  })();
  const summary = [device, app].filter(Boolean).join(" ");
  return summary || (ua.length > 40 ? `${ua.slice(0, 40)}…` : ua);
}
