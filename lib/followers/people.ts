// Followers into people: the same people logins make (lib/users.ts). A follower is found by its
// identity (appid, openid), else by unionid, else created with an identity and no web token; a later
// login of that openid finds the identity and is the same person. One batch (≤100, one batchget) is
// one transaction: a handful of set-based statements for the batch rather than a round trip per
// follower, and a race with a concurrent login on the (appid, openid) unique constraint is retried.
import { dialectOf, isLostRace, newId, sqlTxOf, type Db, type Dialect } from "@/lib/db";
import { attachUnionid, type Tx } from "@/lib/users";
import type { FollowerInfo } from "@/lib/wechat/followers";

export interface UpsertResult {
  readonly created: number;
  readonly updated: number;
}

function followerFields(info: FollowerInfo, seenAt: Date) {
  return info.subscribed
    ? {
        subscribed: true,
        subscribedAt: info.subscribedAt,
        unsubscribedAt: null,
        subscribeScene: info.scene,
        qrScene: info.qrScene,
        language: info.language,
        remark: info.remark || null,
        followerSeenAt: seenAt,
      }
    : // Listed, then gone before its details were fetched: no other fields come with subscribe 0.
      { subscribed: false, unsubscribedAt: seenAt, followerSeenAt: seenAt };
}

/**
 * Stores one batch of follower details, seen at `seenAt`. `knownTags`: tag ids present in the Tag
 * table (a tag created on WeChat after the tags were mirrored is left for the next sync).
 */
export async function upsertFollowers(
  db: Db,
  appid: string,
  infos: readonly FollowerInfo[],
  seenAt: Date,
  knownTags: ReadonlySet<number>,
): Promise<UpsertResult> {
  if (infos.length === 0) return { created: 0, updated: 0 };
  const dialect = dialectOf(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction((tx) => upsertOnce(tx, appid, infos, seenAt, knownTags, dialect), {
        maxWait: 60_000,
        timeout: 120_000,
      });
    } catch (err) {
      if (!isLostRace(err) || attempt >= 4) throw err;
    }
  }
}

const FIELD_COLUMNS = [
  ["subscribed", "boolean"],
  ["subscribedAt", "timestamp(3)"],
  ["unsubscribedAt", "timestamp(3)"],
  ["subscribeScene", "text"],
  ["qrScene", "text"],
  ["language", "text"],
  ["remark", "text"],
  ["followerSeenAt", "timestamp(3)"],
] as const;

type Fields = Partial<Record<(typeof FIELD_COLUMNS)[number][0], unknown>>;

async function upsertOnce(
  tx: Tx,
  appid: string,
  infos: readonly FollowerInfo[],
  seenAt: Date,
  knownTags: ReadonlySet<number>,
  dialect: Dialect,
): Promise<UpsertResult> {
  const wanted = dialect.inList(
    "i.openid",
    infos.map((i) => i.openid),
    2,
  );
  const identities = await tx.$queryRawUnsafe<{ openid: string; userId: string; unionid: string | null }[]>(
    `SELECT i.openid, i."userId", u.unionid FROM "Identity" i JOIN "User" u ON u.id = i."userId"
     WHERE i.appid = ${dialect.param(1)} AND ${wanted.sql}`,
    appid,
    ...wanted.values,
  );
  const byOpenid = new Map(identities.map((i) => [i.openid, i]));
  const unionids = [...new Set(infos.filter((i) => i.unionid && !byOpenid.has(i.openid)).map((i) => i.unionid!))];
  const byUnionid = new Map<string, string>();
  if (unionids.length > 0) {
    const held = dialect.inList("unionid", unionids);
    const holders = await tx.$queryRawUnsafe<{ id: string; unionid: string }[]>(
      `SELECT id, unionid FROM "User" WHERE ${held.sql}`,
      ...held.values,
    );
    for (const h of holders) byUnionid.set(h.unionid, h.id);
  }

  const created: { id: string; info: FollowerInfo }[] = [];
  const newIdentities: { openid: string; userId: string }[] = [];
  const updates = new Map<string, FollowerInfo>();
  for (const info of infos) {
    const identity = byOpenid.get(info.openid);
    if (identity) {
      let userId = identity.userId;
      // A unionid seen for the first time attaches (or merges two people) exactly as a login would.
      if (info.unionid && identity.unionid !== info.unionid)
        userId = await attachUnionid(sqlTxOf(tx, dialect), userId, info.unionid);
      updates.set(userId, info);
      continue;
    }
    const holder = info.unionid ? byUnionid.get(info.unionid) : undefined;
    if (holder) {
      newIdentities.push({ openid: info.openid, userId: holder });
      updates.set(holder, info);
      continue;
    }
    const id = newId("f");
    created.push({ id, info });
    newIdentities.push({ openid: info.openid, userId: id });
    // Two new openids of one batch with the same unionid are one person.
    if (info.unionid) byUnionid.set(info.unionid, id);
  }

  if (created.length > 0) {
    const source = dialect.rowSource(
      ["text", "text", "timestamp(3)", "timestamp(3)", "timestamp(3)", ...FIELD_COLUMNS.map(([, cast]) => cast)],
      created.map(({ id, info }) => {
        const f: Fields = followerFields(info, seenAt);
        return [id, info.unionid, seenAt, seenAt, seenAt, ...FIELD_COLUMNS.map(([c]) => f[c] ?? null)];
      }),
    );
    await tx.$executeRawUnsafe(
      `INSERT INTO "User" (id, unionid, "createdAt", "updatedAt", "lastLoginAt", ${FIELD_COLUMNS.map(([c]) => `"${c}"`).join(", ")}) ${source.sql}`,
      ...source.values,
    );
  }
  if (newIdentities.length > 0) {
    const source = dialect.rowSource(
      ["text", "text", "text", "text", "timestamp(3)", "timestamp(3)"],
      newIdentities.map((i) => [newId("f"), appid, i.openid, i.userId, seenAt, seenAt]),
    );
    await tx.$executeRawUnsafe(
      `INSERT INTO "Identity" (id, appid, openid, "userId", "createdAt", "lastLoginAt") ${source.sql}`,
      ...source.values,
    );
  }
  if (updates.size > 0) {
    // One statement for the batch: UPDATE … FROM (the rows). Unsubscribed ones keep their last known
    // details: only the columns a subscribe 0 answer speaks for are written.
    for (const subscribed of [true, false]) {
      const group = [...updates].filter(([, info]) => info.subscribed === subscribed);
      if (group.length === 0) continue;
      const columns = subscribed
        ? FIELD_COLUMNS
        : FIELD_COLUMNS.filter(([c]) => c === "subscribed" || c === "unsubscribedAt" || c === "followerSeenAt");
      const source = dialect.rowSource(
        ["text", "timestamp(3)", ...columns.map(([, cast]) => cast)],
        group.map(([userId, info]) => {
          const f: Fields = followerFields(info, seenAt);
          return [userId, seenAt, ...columns.map(([c]) => f[c] ?? null)];
        }),
      );
      const names = ["id", "updatedAt", ...columns.map(([c]) => c)];
      const statement = dialect.updateFrom("User", names, source.sql);
      await tx.$executeRawUnsafe(statement, ...source.values);
    }
  }

  // Tags: WeChat's list per follower replaces ours (people we already had; new ones have none yet).
  if (updates.size > 0) {
    const mine = dialect.inList(`"userId"`, [...updates.keys()]);
    await tx.$executeRawUnsafe(`DELETE FROM "UserTag" WHERE ${mine.sql}`, ...mine.values);
  }
  const tagRows = new Map<string, [string, number, Date]>();
  const all: [string, FollowerInfo][] = [...updates, ...created.map((c): [string, FollowerInfo] => [c.id, c.info])];
  for (const [userId, info] of all) {
    for (const tagId of info.tagIds)
      if (knownTags.has(tagId)) tagRows.set(`${tagId}:${userId}`, [userId, tagId, seenAt]);
  }
  if (tagRows.size > 0) {
    const source = dialect.rowSource(["text", "integer", "timestamp(3)"], [...tagRows.values()]);
    await tx.$executeRawUnsafe(
      `INSERT INTO "UserTag" ("userId", "tagId", "createdAt") ${source.sql}`,
      ...source.values,
    );
  }
  return { created: created.length, updated: updates.size };
}
