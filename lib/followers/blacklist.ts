// The blacklist: block and unblock (20 openids a call, WeChat first, our flag only once it said yes),
// and a sync that makes our flags WeChat's list. Blacklists are small next to the follower list, so
// the sync keeps the listed people in memory to clear the others at the end.
import type { Db } from "@/lib/db";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import { BLACKLIST_MAX, type OpenidPage } from "@/lib/wechat/followers";
import { BulkPartialError, BulkRefusedError, isRefusal } from "@/lib/errors";
import type { WeChatApiError } from "@/lib/wechat/errors";
import { openidsOf, type FollowerDeps } from "./deps";
import { releaseLease } from "@/lib/lease";
import { chunk } from "./pool";
import { describeFailure, takeSyncLease } from "./sync";

export const BLACKLIST_SYNC_LEASE = "sync:blacklist";

/**
 * WeChat first, 20 at a time, our flags once it said yes. WeChat refuses a whole batch for one openid it
 * does not take (not a follower of this account: 40003 / 49003) without saying which: then that batch
 * is asked again one person at a time, so the others go through and the refused are named.
 */
async function setBlacklisted(deps: FollowerDeps, userIds: readonly string[], blocked: boolean): Promise<number> {
  const people = await openidsOf(deps, userIds);
  const call = (openids: string[]) => (blocked ? deps.wechat.blacklist(openids) : deps.wechat.unblacklist(openids));
  const mark = (batch: readonly { userId: string }[]) =>
    deps.db.user.updateMany({
      where: { id: { in: batch.map((p) => p.userId) } },
      // A blocked person is signed out of every device too (their sessions signed in before now end).
      data: blocked
        ? { blacklisted: true, blacklistedAt: deps.now(), sessionsValidAfter: deps.now() }
        : { blacklisted: false, blacklistedAt: null },
    });
  let applied = 0;
  const refused: { userId: string; error: WeChatApiError }[] = [];
  for (const batch of chunk(people, BLACKLIST_MAX)) {
    try {
      await call(batch.map((p) => p.openid));
    } catch (error) {
      if (!isRefusal(error)) throw applied > 0 ? new BulkPartialError(applied, error) : error;
      // One person asked for alone, and refused: WeChat's own refusal says it all.
      if (people.length === 1) throw error;
      if (batch.length === 1) {
        refused.push({ userId: batch[0]!.userId, error });
        continue;
      }
      for (const person of batch) {
        const one = await call([person.openid]).then(
          () => null,
          (e: unknown) => e,
        );
        if (one === null) {
          await mark([person]);
          applied++;
        } else if (isRefusal(one)) refused.push({ userId: person.userId, error: one });
        else throw applied > 0 ? new BulkPartialError(applied, one) : one;
      }
      continue;
    }
    await mark(batch);
    applied += batch.length;
  }
  if (refused.length > 0) {
    const users = await deps.db.user.findMany({
      where: { id: { in: refused.map((r) => r.userId) } },
      select: { id: true, nickname: true },
    });
    const nickname = new Map(users.map((u) => [u.id, u.nickname]));
    const openid = new Map(people.map((p) => [p.userId, p.openid]));
    throw new BulkRefusedError(
      applied,
      refused.map((r) => ({ ...r, label: nickname.get(r.userId) || (openid.get(r.userId) ?? r.userId) })),
    );
  }
  return applied;
}

export async function blockUsers(deps: FollowerDeps, userIds: readonly string[]): Promise<{ applied: number }> {
  return { applied: await setBlacklisted(deps, userIds, true) };
}

export async function unblockUsers(deps: FollowerDeps, userIds: readonly string[]): Promise<{ applied: number }> {
  return { applied: await setBlacklisted(deps, userIds, false) };
}

export interface BlacklistSyncResult {
  readonly runId: string;
  readonly listed: number;
  readonly added: number;
  readonly removed: number;
}

/** Pages through WeChat's blacklist and makes our flags match it. */
export async function syncBlacklist(deps: FollowerDeps & { holder: string }): Promise<BlacklistSyncResult> {
  const { db } = deps;
  const lease = await takeSyncLease(db, BLACKLIST_SYNC_LEASE, deps.holder, deps.now(), 5 * 60_000);
  const run = await db.syncRun.create({ data: { kind: "blacklist", startedAt: deps.now(), heartbeatAt: deps.now() } });
  try {
    const listedIds = new Set<string>();
    let added = 0;
    let page: OpenidPage = await deps.wechat.listBlacklist("");
    let total = page.total;
    while (!page.done) {
      const pageIds: string[] = [];
      for (const openid of page.openids) {
        const userId = await db.$transaction((tx) => findOrCreatePersonByOpenid(tx, deps.appId, openid, deps.now()));
        listedIds.add(userId);
        pageIds.push(userId);
      }
      for (const ids of chunk(pageIds, 500)) {
        added += (
          await db.user.updateMany({
            where: { id: { in: ids }, blacklisted: false },
            data: { blacklisted: true, blacklistedAt: deps.now() },
          })
        ).count;
      }
      await db.syncRun.update({
        where: { id: run.id },
        data: { cursor: page.nextOpenid, listed: listedIds.size, total, heartbeatAt: deps.now() },
      });
      page = await deps.wechat.listBlacklist(page.nextOpenid);
      total = page.total ?? total;
    }
    const flagged = await db.user.findMany({ where: { blacklisted: true }, select: { id: true } });
    const stale = flagged.map((u) => u.id).filter((id) => !listedIds.has(id));
    let removed = 0;
    for (const ids of chunk(stale, 500)) {
      removed += (
        await db.user.updateMany({ where: { id: { in: ids } }, data: { blacklisted: false, blacklistedAt: null } })
      ).count;
    }
    await db.syncRun.update({
      where: { id: run.id },
      data: {
        status: "done",
        listed: listedIds.size,
        upserted: added,
        unsubscribed: removed,
        total: total ?? listedIds.size,
        finishedAt: deps.now(),
        heartbeatAt: deps.now(),
      },
    });
    return { runId: run.id, listed: listedIds.size, added, removed };
  } catch (error) {
    await db.syncRun
      .update({ where: { id: run.id }, data: { status: "failed", error: describeFailure(error).slice(0, 1000) } })
      .catch(() => {});
    throw error;
  } finally {
    await releaseLease(db, lease, deps.now()).catch(() => {});
  }
}

export interface BlacklistedRow {
  readonly id: string;
  readonly nickname: string | null;
  readonly remark: string | null;
  readonly openid: string | null;
  readonly blacklistedAt: Date | null;
}

/** Blacklisted people, newest first, keyset by id after `after`. */
export async function listBlacklisted(
  db: Db,
  appId: string,
  options: { after?: string; limit?: number } = {},
): Promise<{ rows: BlacklistedRow[]; next: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const users = await db.user.findMany({
    where: { blacklisted: true, ...(options.after ? { id: { gt: options.after } } : {}) },
    orderBy: { id: "asc" },
    take: limit + 1,
    select: {
      id: true,
      nickname: true,
      remark: true,
      blacklistedAt: true,
      identities: { where: { appid: appId }, select: { openid: true }, take: 1 },
    },
  });
  const rows = users.slice(0, limit).map((u) => ({
    id: u.id,
    nickname: u.nickname,
    remark: u.remark,
    blacklistedAt: u.blacklistedAt,
    openid: u.identities[0]?.openid ?? null,
  }));
  return { rows, next: users.length > limit ? (rows[rows.length - 1]?.id ?? null) : null };
}
