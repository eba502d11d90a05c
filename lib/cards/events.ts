// The card pushes, applied: card_pass_check / card_not_pass_check move a card's review (with the refusal
// reason), user_get_card makes the person's code (and takes one from the stock unless it was a friend's
// gift), user_consume_card, user_del_card and user_gifting_card move the code's state, user_view_card is
// counted. Each push is applied once: its CardEvent row, unique on the push's dedupe key (WeChat's
// retries share it, cardEventOf's `card:` key), is written in the same transaction as its effects, so a
// retry, a second instance or a restart that applies it again changes nothing.
//
// Where it runs: CardPushStore wraps the message store (lib/messages/store.ts) that services.messages
// uses, so every way an event gets applied (the queue after the answer, the minute's retry, start-up)
// applies its card part first. A card part that fails leaves its event pending (counted, as the store
// counts its own failures) for the minute's retry. The review pushes come from the account itself (their
// FromUserName names no one), so they never reach the store's person-making apply: their event is marked
// done here. The person pushes go on to the store, which records the person as for any push.
import type { Db } from "@/lib/db";
import { isLostRace, isUniqueViolation } from "@/lib/db/errors";
import { log } from "@/lib/log";
import {
  MAX_ATTEMPTS,
  type Applied,
  type EventRow,
  type MessageStore,
  type NonceRow,
  type PendingRow,
  type RecordResult,
} from "@/lib/messages/store";
import { CARD_EVENTS, cardEventOf, parseInboundMessage, type CardEvent } from "@/lib/wechat/message-xml";
import { addCode, moveCode, type DbClient } from "./codes";
import { beijingDay } from "./model";

export interface CardEventDeps {
  readonly db: Db;
  readonly appId: string;
  readonly now: () => Date;
}

/** A card push as recorded: its dedupe key, WeChat's CreateTime and what it says. */
export interface RecordedCardPush {
  readonly dedupeKey: string;
  readonly createdAt: Date;
  readonly event: CardEvent;
}

const isReview = (e: CardEvent) => e.event === "card_pass_check" || e.event === "card_not_pass_check";

export function isCardPush(msgType: string, event: string | null): boolean {
  return msgType === "event" && (CARD_EVENTS as readonly string[]).includes(event ?? "");
}

/**
 * Applies one card push: "applied" the first time, "duplicate" whenever it was applied before (by anyone).
 * A card we did not make is recorded and changes nothing.
 */
export async function applyCardPush(deps: CardEventDeps, push: RecordedCardPush): Promise<"applied" | "duplicate"> {
  const { db } = deps;
  for (let attempt = 1; ; attempt++) {
    try {
      await db.$transaction(async (tx) => {
        const now = deps.now();
        const e = push.event;
        // First, so that a concurrent application of the same push waits here and then fails.
        await tx.cardEvent.create({
          data: {
            dedupeKey: push.dedupeKey,
            appId: deps.appId,
            wxCardId: e.cardId,
            event: e.event,
            openid: "openid" in e ? e.openid : null,
            code: "code" in e ? e.code : null,
            day: beijingDay(push.createdAt),
            createdAt: push.createdAt,
            appliedAt: now,
          },
        });
        await effects(tx, deps.appId, push, now);
      });
      return "applied";
    } catch (error) {
      if (isUniqueViolation(error) && (await db.cardEvent.findUnique({ where: { dedupeKey: push.dedupeKey } })))
        return "duplicate";
      // A code created at the same moment by our counter or getcardlist: run again, it is there now.
      if (!isLostRace(error) || attempt >= 4) throw error;
    }
  }
}

async function effects(tx: DbClient, appId: string, push: RecordedCardPush, now: Date): Promise<void> {
  const e = push.event;
  const at = push.createdAt;
  const card = await tx.card.findFirst({ where: { appId, wxCardId: e.cardId }, select: { id: true } });
  if (!card) return;
  /** A code moved by its holder's push; one we never heard of is recorded as theirs first. */
  const movePushed = (
    pushed: { code: string; openid: string },
    state: "GIFTED" | "DELETED" | "CONSUMED",
    extra: { consumeSource?: string | null } = {},
    outerStr?: string | null,
  ) =>
    moveCode(
      tx,
      {
        cardId: card.id,
        code: pushed.code,
        state,
        at,
        ...extra,
        create: { openid: pushed.openid, source: "push", takenAt: at, ...(outerStr !== undefined ? { outerStr } : {}) },
      },
      now,
    );
  switch (e.event) {
    case "card_pass_check":
    case "card_not_pass_check":
      // Pushes can arrive out of order: a later review is not undone by an earlier one.
      await tx.card.updateMany({
        where: { id: card.id, OR: [{ reviewedAt: null }, { reviewedAt: { lte: at } }] },
        data: {
          reviewStatus: e.event === "card_pass_check" ? "VERIFY_OK" : "VERIFY_FAIL",
          refuseReason: e.event === "card_not_pass_check" ? e.refuseReason || null : null,
          reviewedAt: at,
          updatedAt: now,
        },
      });
      return;
    case "user_get_card":
      await addCode(
        tx,
        {
          cardId: card.id,
          code: e.code,
          openid: e.openid,
          source: "push",
          takenAt: at,
          fromFriend: e.isGiveByFriend,
          friendOpenid: e.friendOpenid,
          oldCode: e.oldCode,
          outerStr: e.outerStr,
        },
        now,
      );
      if (e.isGiveByFriend) {
        // The giver's code is gone (WeChat issued the friend a new one).
        if (e.oldCode) await moveCode(tx, { cardId: card.id, code: e.oldCode, state: "GIFTED", at }, now);
      } else {
        // The place a cardExt of ours held for this person (mine.ts, cardOffer) is a code now.
        const identity = await tx.identity.findUnique({
          where: { appid_openid: { appid: appId, openid: e.openid } },
          select: { userId: true },
        });
        const claim = identity
          ? await tx.cardClaim.findFirst({
              where: { cardId: card.id, userId: identity.userId },
              orderBy: [{ createdAt: "asc" }, { slot: "asc" }],
              select: { id: true },
            })
          : null;
        if (claim) await tx.cardClaim.deleteMany({ where: { id: claim.id } });
        // One less in stock, as at WeChat (never below zero here either).
        await tx.card.updateMany({
          where: { id: card.id, quantity: { gt: 0 } },
          data: { quantity: { decrement: 1 }, updatedAt: now },
        });
      }
      return;
    case "user_gifting_card":
      if (e.isReturnBack) {
        // The friend did not take it in time: the giver has it back.
        await tx.cardCode.updateMany({
          where: { cardId: card.id, code: e.code, state: "GIFTED" },
          data: { state: "NORMAL", stateAt: at, updatedAt: now },
        });
        return;
      }
      await movePushed(e, "GIFTED");
      return;
    case "user_del_card":
      await movePushed(e, "DELETED");
      return;
    case "user_consume_card":
      await movePushed(e, "CONSUMED", { consumeSource: e.consumeSource || null }, e.outerStr);
      return;
    case "user_view_card":
      // Counted by its CardEvent row alone.
      return;
  }
}

/**
 * The message store with the card pushes applied in front of it (see the top of this file). It knows an
 * event is a card push from its record (this process recorded it) or, for events another process
 * recorded, from the pending list (start-up and the minute's retry ask for it first); other events cost
 * nothing more.
 */
export class CardPushStore implements MessageStore {
  readonly #cardEvents = new Set<string>();

  constructor(
    private readonly inner: MessageStore,
    private readonly deps: CardEventDeps,
  ) {}

  async record(nonce: NonceRow, event: EventRow): Promise<RecordResult> {
    const result = await this.inner.record(nonce, event);
    if (result.kind === "recorded" && isCardPush(event.msgType, event.event)) this.#cardEvents.add(result.id);
    return result;
  }

  async pending(before: Date, limit: number, after?: PendingRow): Promise<PendingRow[]> {
    const rows = await this.inner.pending(before, limit, after);
    if (rows.length > 0) {
      const cards = await this.deps.db.weChatEvent.findMany({
        where: { id: { in: rows.map((r) => r.id) }, msgType: "event", event: { in: [...CARD_EVENTS] } },
        select: { id: true },
      });
      for (const c of cards) this.#cardEvents.add(c.id);
    }
    return rows;
  }

  async apply(ids: readonly string[], now: Date): Promise<Applied[]> {
    const cardIds = ids.filter((id) => this.#cardEvents.has(id));
    if (cardIds.length === 0) return this.inner.apply(ids, now);
    const settled = new Map<string, Applied>();
    const { db } = this.deps;
    const rows = await db.weChatEvent.findMany({
      where: { id: { in: cardIds } },
      select: { id: true, dedupeKey: true, payload: true, createdAt: true, status: true },
    });
    for (const row of rows) {
      if (row.status !== "pending") continue;
      let event: CardEvent | null;
      try {
        event = cardEventOf(parseInboundMessage(row.payload));
      } catch {
        // Not a card push WeChat would send: the store applies it as any other push.
        event = null;
      }
      if (!event) continue;
      try {
        await applyCardPush(this.deps, { dedupeKey: row.dedupeKey, createdAt: row.createdAt, event });
        if (isReview(event)) settled.set(row.id, await this.#done(row.id, now));
      } catch (error) {
        settled.set(row.id, await this.#failed(row.id, error));
      }
    }
    for (const id of cardIds) this.#cardEvents.delete(id);
    const rest = ids.filter((id) => !settled.has(id));
    const applied = rest.length > 0 ? await this.inner.apply(rest, now) : [];
    const byId = new Map(rest.map((id, i) => [id, applied[i]!]));
    return ids.map((id) => settled.get(id) ?? byId.get(id)!);
  }

  /** A review push's event, done without a person (its sender is the account). */
  async #done(id: string, now: Date): Promise<Applied> {
    const { count } = await this.deps.db.weChatEvent.updateMany({
      where: { id, status: "pending" },
      data: { status: "done", processedAt: now, attempts: { increment: 1 }, error: null },
    });
    return { result: count > 0 ? "done" : "skipped" };
  }

  /** As the store counts its own failures: pending for the retry, failed after MAX_ATTEMPTS. */
  async #failed(id: string, error: unknown): Promise<Applied> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    log.warn("card_push_failed", { eventId: id, cause: message });
    try {
      const { db } = this.deps;
      await db.weChatEvent.updateMany({
        where: { id, status: "pending" },
        data: { attempts: { increment: 1 }, error: message },
      });
      const { count } = await db.weChatEvent.updateMany({
        where: { id, status: "pending", attempts: { gte: MAX_ATTEMPTS } },
        data: { status: "failed" },
      });
      return { result: count > 0 ? "failed" : "retry", error };
    } catch {
      return { result: "retry", error };
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
