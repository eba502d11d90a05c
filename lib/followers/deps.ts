// What the follower services need, and the one lookup they share: people → their openid in this account.
import type { Db } from "@/lib/db";
import { AppError, BulkPartialError } from "@/lib/errors";

export { BulkPartialError };
import type { WeChatFollowers } from "@/lib/wechat/followers";

export interface FollowerDeps {
  readonly db: Db;
  readonly wechat: WeChatFollowers;
  /** The Official Account's appid: a person's openid for it is in Identity (appid, openid). */
  readonly appId: string;
  readonly now: () => Date;
}

/** Most people one bulk action may name (the list shows at most 200 rows). */
export const MAX_BULK = 1000;

export interface Person {
  readonly userId: string;
  readonly openid: string;
}

/** Each person's openid in this account, in the order given (duplicates dropped); 404 if any has none. */
export async function openidsOf(deps: FollowerDeps, userIds: readonly string[]): Promise<Person[]> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0 || unique.length > MAX_BULK) throw new AppError("bad_request");
  const identities = await deps.db.identity.findMany({
    where: { appid: deps.appId, userId: { in: unique } },
    select: { userId: true, openid: true },
  });
  const byUser = new Map(identities.map((i) => [i.userId, i.openid]));
  const missing = unique.filter((id) => !byUser.has(id));
  if (missing.length > 0) throw new AppError("follower_not_found", { detail: `no openid for ${missing.join(", ")}` });
  return unique.map((userId) => ({ userId, openid: byUser.get(userId) as string }));
}

/** Runs one batch's WeChat call; a failure after earlier batches went through says how many did. */
export async function withApplied<T>(applied: number, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw applied > 0 ? new BulkPartialError(applied, error) : error;
  }
}
