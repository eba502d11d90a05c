// People and their identities. A person is found by unionid when WeChat gives one, else by
// (appid, openid); a unionid that appears later merges the two records. Concurrent first logins of one
// openid race on the (appid, openid) unique constraint: the loser retries and finds the winner's row.
import type { WeChatUserInfo, WebToken } from "@/lib/wechat";
import { seal } from "@/lib/crypto";
import type { Db } from "@/lib/db";
import { isLostRace } from "@/lib/db/errors";
import type { AuthDeps } from "@/lib/auth/deps";

export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export const WEB_ACCESS_TOKEN_SAFETY_MS = 60_000;
export const REFRESH_TOKEN_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export interface LoginRecord {
  readonly token: WebToken;
  readonly profile: WeChatUserInfo | null;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** the login's state (LoginState), marked done in the same transaction */
  readonly state?: string;
}

const SCOPE_RANK: Record<string, number> = { snsapi_base: 1, snsapi_userinfo: 2 };
const widerScope = (a: string, b: string) => ((SCOPE_RANK[a] ?? 0) >= (SCOPE_RANK[b] ?? 0) ? a : b);

export function tokenScope(token: WebToken): "snsapi_base" | "snsapi_userinfo" {
  return token.scopes.includes("snsapi_userinfo") ? "snsapi_userinfo" : "snsapi_base";
}

function profileFields(profile: WeChatUserInfo) {
  return {
    nickname: profile.nickname,
    headimgurl: profile.headimgurl,
    sex: profile.sex,
    province: profile.province,
    city: profile.city,
    country: profile.country,
  };
}

/** Runs `run` in a transaction, again (up to 4 times) when a concurrent one won a race (isLostRace). */
export async function retryingTransaction<T>(deps: { readonly db: Db }, run: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.$transaction(run);
    } catch (err) {
      if (!isLostRace(err) || attempt >= 4) throw err;
    }
  }
}

/** Stores a successful login; returns the person's id. Retries a lost race with a concurrent login. */
export async function recordLogin(deps: AuthDeps, record: LoginRecord): Promise<string> {
  return retryingTransaction(deps, (tx) => recordLoginOnce(tx, deps, record));
}

async function recordLoginOnce(
  tx: Tx,
  deps: AuthDeps,
  { token, profile, userAgent, ip, state }: LoginRecord,
): Promise<string> {
  const now = deps.now();
  const scope = tokenScope(token);
  const unionid = profile?.unionid ?? token.unionid;
  // The person comes with the identity: a returning login reads one row pair, not the person again.
  const existing = await tx.identity.findUnique({
    where: { appid_openid: { appid: deps.appId, openid: token.openid } },
    include: { user: true },
  });

  let userId: string;
  /** the person's row as it stands in this transaction (scope and userinfoAt), when known */
  let user: { scope: string; userinfoAt: Date | null } | null;
  if (existing) {
    userId = existing.userId;
    // Read with the identity, in a second statement: a concurrent login may have merged this person
    // away in between (PostgreSQL, read committed). Then findUniqueOrThrow's P2025 runs the transaction again.
    const person = existing.user ?? (await tx.user.findUniqueOrThrow({ where: { id: userId } }));
    user = person;
    if (unionid && person.unionid !== unionid) {
      userId = await attachUnionid(tx, userId, unionid);
      // A merge into another person changes which row (and scope) this login updates.
      if (userId !== existing.userId) user = null;
    }
  } else {
    const byUnionid = unionid ? await tx.user.findUnique({ where: { unionid } }) : null;
    const found = byUnionid ?? (await tx.user.create({ data: { unionid, createdAt: now, lastLoginAt: now } }));
    userId = found.id;
    user = found;
  }

  // A silent snsapi_base login must not replace a still-refreshable snsapi_userinfo grant: the wider
  // token keeps /api/me/profile/refresh working without asking the user again.
  const keepWider =
    existing?.scope === "snsapi_userinfo" &&
    scope === "snsapi_base" &&
    existing.refreshTokenExpiresAt !== null &&
    existing.refreshTokenExpiresAt > now;
  const tokenFields = keepWider
    ? {}
    : {
        scope,
        accessTokenEnc: seal(token.accessToken, deps.tokenKey),
        refreshTokenEnc: seal(token.refreshToken, deps.tokenKey),
        accessTokenExpiresAt: new Date(now.getTime() + token.expiresIn * 1000),
        refreshTokenExpiresAt: new Date(now.getTime() + REFRESH_TOKEN_LIFETIME_MS),
        refreshLeaseUntil: null,
      };

  if (existing) {
    await tx.identity.update({
      where: { id: existing.id },
      data: { ...tokenFields, userId, lastLoginAt: now, tokenVersion: { increment: 1 } },
    });
  } else {
    await tx.identity.create({
      data: {
        appid: deps.appId,
        openid: token.openid,
        userId,
        createdAt: now,
        lastLoginAt: now,
        ...tokenFields,
        scope,
      },
    });
  }

  user ??= await tx.user.findUniqueOrThrow({ where: { id: userId } });
  await tx.user.update({
    where: { id: userId },
    data: {
      lastLoginAt: now,
      // Only ever widened, and written only then: a concurrent wider login is never narrowed back.
      ...(widerScope(user.scope, scope) !== user.scope ? { scope } : {}),
      ...(scope === "snsapi_userinfo" && !user.userinfoAt ? { userinfoAt: now } : {}),
      ...(profile ? profileFields(profile) : {}),
    },
  });
  await tx.loginEvent.create({
    data: { userId, appid: deps.appId, scope, userAgent: userAgent?.slice(0, 512), ip, createdAt: now },
  });
  if (state) await tx.loginState.update({ where: { state }, data: { status: "done", userId } });
  return userId;
}

/** Stores a freshly pulled profile; returns the person's id (another one if a new unionid merged them). */
export async function applyProfile(deps: AuthDeps, userId: string, profile: WeChatUserInfo): Promise<string> {
  return retryingTransaction(deps, async (tx) => {
    const id = profile.unionid ? await attachUnionid(tx, userId, profile.unionid) : userId;
    await tx.user.update({ where: { id }, data: profileFields(profile) });
    return id;
  });
}

/**
 * Gives person `userId` the unionid. When another person already holds it (known through another
 * app of the same Open Platform account), the two are one person: merge `userId` into that one.
 */
export async function attachUnionid(tx: Tx, userId: string, unionid: string): Promise<string> {
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
  if (user.unionid === unionid) return userId;
  // WeChat never changes the unionid of an openid; a different one is an anomaly, not a merge.
  if (user.unionid !== null) return userId;
  const holder = await tx.user.findUnique({ where: { unionid } });
  if (!holder) {
    await tx.user.update({ where: { id: userId }, data: { unionid } });
    return userId;
  }
  await tx.identity.updateMany({ where: { userId }, data: { userId: holder.id } });
  await tx.loginEvent.updateMany({ where: { userId }, data: { userId: holder.id } });
  await tx.user.update({
    where: { id: holder.id },
    data: {
      scope: widerScope(holder.scope, user.scope),
      createdAt: holder.createdAt < user.createdAt ? holder.createdAt : user.createdAt,
      userinfoAt: holder.userinfoAt ?? user.userinfoAt,
      nickname: holder.nickname ?? user.nickname,
      headimgurl: holder.headimgurl ?? user.headimgurl,
      sex: holder.sex ?? user.sex,
      province: holder.province ?? user.province,
      city: holder.city ?? user.city,
      country: holder.country ?? user.country,
    },
  });
  await tx.user.delete({ where: { id: userId } });
  return holder.id;
}

/**
 * The person `appid` knows as `openid` (a message push, a follower): found by its identity, else created
 * with the identity and no web token. A later login of the same openid finds the same identity, so it is
 * the same person (and a unionid it brings attaches or merges as for any login). Run inside a transaction
 * that the caller retries on a lost race (the (appid, openid) unique constraint).
 */
export async function findOrCreatePersonByOpenid(tx: Tx, appid: string, openid: string, now: Date): Promise<string> {
  const existing = await tx.identity.findUnique({
    where: { appid_openid: { appid, openid } },
    select: { userId: true },
  });
  if (existing) return existing.userId;
  const user = await tx.user.create({ data: { createdAt: now, lastLoginAt: now }, select: { id: true } });
  await tx.identity.create({ data: { appid, openid, userId: user.id, createdAt: now, lastLoginAt: now } });
  return user.id;
}
