// People and their identities. A person is found by unionid when WeChat gives one, else by
// (appid, openid); a unionid that appears later merges the two records. Concurrent first logins of one
// openid race on the (appid, openid) unique constraint: the loser retries and finds the winner's row.
// A login's transaction runs on the driver with named queries (lib/db/driver.ts, lib/db/people.ts):
// through Prisma it was most of the login's CPU.
import type { WeChatUserInfo, WebToken } from "@/lib/wechat";
import { seal } from "@/lib/crypto";
import {
  driverTransaction,
  expectOne,
  newId,
  people,
  runWrites,
  sqlTime,
  write,
  type Db,
  type SqlTime,
  type SqlTx,
} from "@/lib/db";
import { isLostRace, RowGoneError } from "@/lib/db/errors";
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

/** The profile's columns; without a profile, nulls (which personLoggedIn leaves as they are). */
function profileColumns(profile: WeChatUserInfo | null): people.ProfileColumns {
  return {
    nickname: profile?.nickname ?? null,
    headimgurl: profile?.headimgurl ?? null,
    sex: profile?.sex ?? null,
    province: profile?.province ?? null,
    city: profile?.city ?? null,
    country: profile?.country ?? null,
  };
}

/** Runs `run` in a Prisma transaction, again (up to 4 times) when a concurrent one won a race (isLostRace). */
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
  const now = deps.now();
  const { token } = record;
  // Sealed once, outside the transaction: a run again after a lost race writes the same.
  const tokens = {
    scope: tokenScope(token),
    accessTokenEnc: seal(token.accessToken, deps.tokenKey),
    refreshTokenEnc: seal(token.refreshToken, deps.tokenKey),
    accessTokenExpiresAt: new Date(now.getTime() + token.expiresIn * 1000),
    refreshTokenExpiresAt: new Date(now.getTime() + REFRESH_TOKEN_LIFETIME_MS),
  };
  return driverTransaction(deps.db, (tx) => recordLoginOnce(tx, deps, record, now, tokens));
}

async function recordLoginOnce(
  tx: SqlTx,
  deps: AuthDeps,
  { token, profile, userAgent, ip, state }: LoginRecord,
  now: Date,
  tokens: { scope: "snsapi_base" | "snsapi_userinfo" } & Omit<people.WebTokenColumns, "scope">,
): Promise<string> {
  const { scope } = tokens;
  const appid = deps.appId;
  const unionid = profile?.unionid ?? token.unionid;
  // Prisma's @updatedAt is the wall clock's time of the write, whatever the login's clock says.
  const updatedAt = new Date();
  // The person comes with the identity: a returning login reads one row, not the person again.
  const [existing] = await tx.rows(people.identityForLogin, { appid, openid: token.openid });

  let userId: string;
  /** the person's row as it stands in this transaction (scope and userinfoAt), when known */
  let user: { scope: string; userinfoAt: SqlTime | null } | undefined;
  if (existing) {
    userId = existing.userId;
    user = existing;
    if (unionid && existing.unionid !== unionid) {
      userId = await attachUnionid(tx, userId, unionid);
      // A merge into another person changes which row (and scope) this login updates.
      if (userId !== existing.userId) user = undefined;
    }
  } else {
    const [holder] = unionid ? await tx.rows(people.loginPersonByUnionid, { unionid }) : [];
    if (holder) {
      userId = holder.id;
      user = holder;
    } else {
      userId = newId("l");
      await tx.run(people.insertPerson, { id: userId, unionid, now, updatedAt });
      user = { scope: "snsapi_base", userinfoAt: null };
    }
  }

  // A silent snsapi_base login must not replace a still-refreshable snsapi_userinfo grant: the wider
  // token keeps /api/me/profile/refresh working without asking the user again.
  const keepWider =
    existing?.identityScope === "snsapi_userinfo" &&
    scope === "snsapi_base" &&
    existing.refreshTokenExpiresAt !== null &&
    sqlTime(existing.refreshTokenExpiresAt) > now;
  user ??= (await tx.rows(people.loginPersonById, { id: userId }))[0];
  // Merged away by a concurrent login since this transaction read it (PostgreSQL, read committed).
  if (!user) throw new RowGoneError(`User ${userId}`);

  // The login's writes touch four different rows and read none of them: one round trip on PostgreSQL.
  const [identity, person, , loginState] = await runWrites(tx, [
    !existing
      ? write(people.insertIdentity, { ...tokens, id: newId("l"), appid, openid: token.openid, userId, now })
      : keepWider
        ? write(people.identityLoggedInKeepingTokens, { id: existing.id, userId, now })
        : write(people.identityLoggedIn, { ...tokens, id: existing.id, userId, now }),
    write(people.personLoggedIn, {
      id: userId,
      now,
      updatedAt,
      // Only ever widened, and written only then: a concurrent wider login is never narrowed back.
      scope: widerScope(user.scope, scope) !== user.scope ? scope : null,
      // Set by the first snsapi_userinfo login only (COALESCE keeps an earlier one).
      userinfoAt: scope === "snsapi_userinfo" ? now : null,
      ...profileColumns(profile),
    }),
    write(people.insertLoginEvent, {
      id: newId("l"),
      userId,
      appid,
      scope,
      userAgent: userAgent?.slice(0, 512) ?? null,
      ip,
      now,
    }),
    ...(state ? [write(people.loginStateDone, { state, userId })] : []),
  ]);
  expectOne(identity ?? 0, "Identity");
  expectOne(person ?? 0, "User");
  if (state) expectOne(loginState ?? 0, "LoginState");
  return userId;
}

/** Stores a freshly pulled profile; returns the person's id (another one if a new unionid merged them). */
export async function applyProfile(deps: AuthDeps, userId: string, profile: WeChatUserInfo): Promise<string> {
  return driverTransaction(deps.db, async (tx) => {
    const id = profile.unionid ? await attachUnionid(tx, userId, profile.unionid) : userId;
    expectOne(await tx.run(people.personProfile, { id, ...profileColumns(profile), updatedAt: new Date() }), "User");
    return id;
  });
}

const asNumber = (n: number | bigint | null): number | null => (n === null ? null : Number(n));

/**
 * Gives person `userId` the unionid. When another person already holds it (known through another
 * app of the same Open Platform account), the two are one person: merge `userId` into that one.
 * In a driver transaction, or in a Prisma one through sqlTxOf (the follower sync, the QR login).
 */
export async function attachUnionid(tx: SqlTx, userId: string, unionid: string): Promise<string> {
  const [user] = await tx.rows(people.mergedPersonById, { id: userId });
  if (!user) throw new RowGoneError(`User ${userId}`);
  if (user.unionid === unionid) return userId;
  // WeChat never changes the unionid of an openid; a different one is an anomaly, not a merge.
  if (user.unionid !== null) return userId;
  const [holder] = await tx.rows(people.mergedPersonByUnionid, { unionid });
  const updatedAt = new Date();
  if (!holder) {
    expectOne(await tx.run(people.personUnionid, { id: userId, unionid, updatedAt }), "User");
    return userId;
  }
  await tx.run(people.moveIdentities, { from: userId, to: holder.id });
  await tx.run(people.moveLoginEvents, { from: userId, to: holder.id });
  await tx.run(people.movePayOrders, { from: userId, to: holder.id });
  const [holderCreated, userCreated] = [sqlTime(holder.createdAt), sqlTime(user.createdAt)];
  expectOne(
    await tx.run(people.mergedPerson, {
      id: holder.id,
      scope: widerScope(holder.scope, user.scope),
      createdAt: holderCreated < userCreated ? holderCreated : userCreated,
      userinfoAt: sqlTime(holder.userinfoAt ?? user.userinfoAt),
      nickname: holder.nickname ?? user.nickname,
      headimgurl: holder.headimgurl ?? user.headimgurl,
      sex: asNumber(holder.sex ?? user.sex),
      province: holder.province ?? user.province,
      city: holder.city ?? user.city,
      country: holder.country ?? user.country,
      updatedAt,
    }),
    "User",
  );
  expectOne(await tx.run(people.deletePerson, { id: userId }), "User");
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
