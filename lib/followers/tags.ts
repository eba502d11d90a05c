// Tags: WeChat first, our mirror (Tag, UserTag) only once WeChat said yes, in one transaction. Limits
// (100 tags, 30-byte names, reserved 0/1/2, 50 openids a call, 20 tags a person) are checked before
// any call, from our mirror, by lib/wechat/followers.ts.
import { z } from "zod";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { TAGGING_MAX, checkTagEditable, checkTagsPerUser, type WeChatTag } from "@/lib/wechat/followers";
import { chunk } from "./pool";
import { openidsOf, withApplied, type FollowerDeps } from "./deps";

/** The `[id]` of /api/admin/tags/[id]/…: a WeChat tag id (a non-negative 32-bit integer). */
export const tagIdParams = z.object({ id: z.coerce.number().int().min(0).max(0x7fffffff) });

/** Makes our Tag table WeChat's list (tags gone from WeChat go, with their UserTag rows). Returns the ids. */
export async function mirrorTags(db: Db, tags: readonly WeChatTag[], now: Date): Promise<Set<number>> {
  const ids = tags.map((t) => t.id);
  await db.$transaction(async (tx) => {
    await tx.tag.deleteMany({ where: { id: { notIn: ids } } });
    for (const tag of tags) {
      await tx.tag.upsert({
        where: { id: tag.id },
        create: { id: tag.id, name: tag.name, count: tag.count, updatedAt: now },
        update: { name: tag.name, count: tag.count },
      });
    }
  });
  return new Set(ids);
}

export interface TagRow {
  readonly id: number;
  readonly name: string;
  /** as WeChat last reported it */
  readonly count: number;
  readonly reserved: boolean;
}

export async function listTags(db: Db): Promise<TagRow[]> {
  const tags = await db.tag.findMany({ orderBy: { id: "asc" }, select: { id: true, name: true, count: true } });
  return tags.map((t) => ({ ...t, reserved: t.id <= 2 }));
}

/** Pulls the list from WeChat into the mirror. */
export async function refreshTags(deps: FollowerDeps): Promise<TagRow[]> {
  await mirrorTags(deps.db, await deps.wechat.listTags(), deps.now());
  return listTags(deps.db);
}

export async function createTag(deps: FollowerDeps, name: string): Promise<TagRow> {
  const existing = await deps.db.tag.findMany({ select: { id: true, name: true } });
  const tag = await deps.wechat.createTag(name, existing);
  await deps.db.tag.upsert({
    where: { id: tag.id },
    create: { id: tag.id, name: tag.name, count: 0 },
    update: { name: tag.name, count: 0 },
  });
  return { id: tag.id, name: tag.name, count: 0, reserved: false };
}

async function requireTag(db: Db, id: number) {
  const tag = await db.tag.findUnique({ where: { id } });
  if (!tag) throw new AppError("tag_not_found");
  return tag;
}

export async function renameTag(deps: FollowerDeps, id: number, name: string): Promise<void> {
  checkTagEditable(id, "/cgi-bin/tags/update");
  await requireTag(deps.db, id);
  const value = await deps.wechat.renameTag(id, name);
  await deps.db.tag.update({ where: { id }, data: { name: value } });
}

export async function deleteTag(deps: FollowerDeps, id: number): Promise<void> {
  checkTagEditable(id, "/cgi-bin/tags/delete");
  await requireTag(deps.db, id);
  await deps.wechat.deleteTag(id);
  // UserTag rows go with it (onDelete: Cascade), in the same statement.
  await deps.db.tag.delete({ where: { id } });
}

export interface BulkResult {
  /** people WeChat accepted and our database now reflects */
  readonly applied: number;
}

/**
 * Tags people (any number: sent 50 at a time). Every limit is checked for all of them before the first
 * call; each accepted batch is stored at once, so a failure part-way leaves WeChat and our database
 * agreeing (the error says how many were applied).
 */
export async function tagUsers(deps: FollowerDeps, tagId: number, userIds: readonly string[]): Promise<BulkResult> {
  await requireTag(deps.db, tagId);
  const people = await openidsOf(deps, userIds);
  const current = await deps.db.userTag.findMany({
    where: { userId: { in: people.map((p) => p.userId) } },
    select: { userId: true, tagId: true },
  });
  const tagsOf = new Map<string, number[]>();
  for (const row of current) tagsOf.set(row.userId, [...(tagsOf.get(row.userId) ?? []), row.tagId]);
  const byOpenid = new Map(people.map((p) => [p.openid, tagsOf.get(p.userId) ?? []]));
  checkTagsPerUser(tagId, byOpenid);

  let applied = 0;
  for (const batch of chunk(people, TAGGING_MAX)) {
    await withApplied(applied, () =>
      deps.wechat.tagFollowers(
        tagId,
        batch.map((p) => p.openid),
        new Map(batch.map((p) => [p.openid, tagsOf.get(p.userId) ?? []])),
      ),
    );
    const ids = batch.map((p) => p.userId);
    await deps.db.$transaction(async (tx) => {
      const had = await tx.userTag.count({ where: { tagId, userId: { in: ids } } });
      await tx.userTag.deleteMany({ where: { tagId, userId: { in: ids } } });
      await tx.userTag.createMany({ data: ids.map((userId) => ({ tagId, userId })) });
      await tx.tag.update({ where: { id: tagId }, data: { count: { increment: ids.length - had } } });
    });
    applied += batch.length;
  }
  return { applied };
}

export async function untagUsers(deps: FollowerDeps, tagId: number, userIds: readonly string[]): Promise<BulkResult> {
  await requireTag(deps.db, tagId);
  const people = await openidsOf(deps, userIds);
  let applied = 0;
  for (const batch of chunk(people, TAGGING_MAX)) {
    await withApplied(applied, () =>
      deps.wechat.untagFollowers(
        tagId,
        batch.map((p) => p.openid),
      ),
    );
    const ids = batch.map((p) => p.userId);
    await deps.db.$transaction(async (tx) => {
      const removed = await tx.userTag.deleteMany({ where: { tagId, userId: { in: ids } } });
      const tag = await tx.tag.findUniqueOrThrow({ where: { id: tagId }, select: { count: true } });
      await tx.tag.update({ where: { id: tagId }, data: { count: Math.max(0, tag.count - removed.count) } });
    });
    applied += batch.length;
  }
  return { applied };
}
