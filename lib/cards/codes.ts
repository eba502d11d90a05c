// A taken code's row (CardCode), written from three places: the pushes (events.ts), our counter's
// consume (redeem.ts) and card/user/getcardlist (mine.ts). One row per (card, code); its state moves
// forward from NORMAL by a conditional update, so whichever of them comes first writes it and the others
// change nothing.
import type { Db } from "@/lib/db";
import type { CodeState } from "./model";

/** A Prisma client or an interactive transaction's. */
export type DbClient = Db | Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface NewCode {
  readonly cardId: string;
  readonly code: string;
  readonly openid: string;
  /** push | getcardlist | consume */
  readonly source: string;
  readonly takenAt: Date;
  readonly fromFriend?: boolean;
  readonly friendOpenid?: string | null;
  readonly oldCode?: string | null;
  readonly outerStr?: string | null;
}

/** Creates the code if it is not kept yet (true); a code already kept is left as it is (false). */
export async function addCode(db: DbClient, code: NewCode, now: Date): Promise<boolean> {
  const kept = await db.cardCode.findUnique({
    where: { cardId_code: { cardId: code.cardId, code: code.code } },
    select: { id: true },
  });
  if (kept) return false;
  await db.cardCode.create({
    data: {
      cardId: code.cardId,
      code: code.code,
      openid: code.openid,
      source: code.source,
      takenAt: code.takenAt,
      fromFriend: code.fromFriend ?? false,
      friendOpenid: code.friendOpenid ?? null,
      oldCode: code.oldCode ?? null,
      outerStr: code.outerStr ?? null,
      createdAt: now,
      updatedAt: now,
    },
  });
  return true;
}

export interface CodeMove {
  readonly cardId: string;
  readonly code: string;
  readonly state: Exclude<CodeState, "NORMAL">;
  /** when it happened (the push's CreateTime, or our consume) */
  readonly at: Date;
  readonly consumeSource?: string | null;
  readonly consumedBy?: string | null;
  /** A code not kept yet is created in the new state, for this person (a push we missed, our consume). */
  readonly create?: Omit<NewCode, "cardId" | "code">;
  /** Also from these states (WeChat consumed a code our records thought unusable: WeChat is right). */
  readonly from?: readonly CodeState[];
}

/**
 * Moves a code from NORMAL (or `from`) to `state`; true when this call moved it, false when it was
 * already elsewhere. A concurrent creation of the same code fails on the unique (card, code): the
 * caller's transaction runs again and finds it.
 */
export async function moveCode(db: DbClient, move: CodeMove, now: Date): Promise<boolean> {
  const data = {
    state: move.state,
    stateAt: move.at,
    ...(move.consumeSource !== undefined ? { consumeSource: move.consumeSource } : {}),
    ...(move.consumedBy !== undefined ? { consumedBy: move.consumedBy } : {}),
    updatedAt: now,
  };
  const { count } = await db.cardCode.updateMany({
    where: { cardId: move.cardId, code: move.code, state: { in: ["NORMAL", ...(move.from ?? [])] } },
    data,
  });
  if (count > 0) return true;
  if (!move.create) return false;
  const kept = await db.cardCode.findUnique({
    where: { cardId_code: { cardId: move.cardId, code: move.code } },
    select: { id: true },
  });
  if (kept) return false;
  await db.cardCode.create({
    data: {
      cardId: move.cardId,
      code: move.code,
      openid: move.create.openid,
      source: move.create.source,
      takenAt: move.create.takenAt,
      fromFriend: move.create.fromFriend ?? false,
      friendOpenid: move.create.friendOpenid ?? null,
      oldCode: move.create.oldCode ?? null,
      outerStr: move.create.outerStr ?? null,
      createdAt: now,
      ...data,
    },
  });
  return true;
}
