// The person's side: 我的卡券 (the codes they took, from the pushes, topped up from
// card/user/getcardlist when a push was missed) and the signed cardExt with which our H5 page offers a
// card through wx.addCard (signed with the central wx_card ticket; get_limit and stock checked first).
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { isUniqueViolation } from "@/lib/db/errors";
import {
  CARD_COLORS,
  CARD_TYPE_LABELS,
  createCardExt,
  isOuterStr,
  type CardDraft,
  type CardType,
} from "@/lib/wechat/card";
import type { CardDeps } from "./cards";
import { retryingTransaction } from "@/lib/users";
import { addCode } from "./codes";
import { CODE_STATE_LABELS, codeValidity, isCodeState, shownState, type CodeState } from "./model";

export interface MyCard {
  readonly code: string;
  /** Our state, 已过期 for a usable code past its end. */
  readonly state: CodeState;
  readonly stateLabel: string;
  /** Can be shown at a counter now: 可用, begun, and the card not deleted. */
  readonly usable: boolean;
  readonly takenAt: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly fromFriend: boolean;
  readonly card: {
    readonly id: string;
    readonly wxCardId: string;
    readonly title: string;
    readonly brandName: string;
    readonly type: CardType;
    readonly typeLabel: string;
    readonly color: string;
    readonly colorHex: string | null;
    readonly logoId: string | null;
    readonly deleted: boolean;
  };
}

async function openidsOf(deps: Pick<CardDeps, "db" | "appId">, userId: string): Promise<string[]> {
  const identities = await deps.db.identity.findMany({
    where: { userId, appid: deps.appId },
    select: { openid: true },
  });
  return identities.map((i) => i.openid);
}

/**
 * The codes of our cards WeChat lists in the person's card pack that we have no record of (a
 * user_get_card push we missed): kept now. A failure leaves the list as our records have it.
 */
async function topUp(deps: CardDeps, openids: readonly string[]): Promise<number> {
  let added = 0;
  for (const openid of openids) {
    let listed: { code: string; cardId: string }[];
    try {
      listed = await deps.wechat.userCards(openid);
    } catch (error) {
      log.warn("card_list_topup_failed", { cause: error instanceof Error ? error.message : String(error) });
      continue;
    }
    if (listed.length === 0) continue;
    const cards = await deps.db.card.findMany({
      where: { appId: deps.appId, wxCardId: { in: [...new Set(listed.map((c) => c.cardId))] } },
      select: { id: true, wxCardId: true },
    });
    const ours = new Map(cards.map((c) => [c.wxCardId, c.id]));
    const now = deps.now();
    for (const entry of listed) {
      const cardId = ours.get(entry.cardId);
      if (!cardId) continue;
      try {
        if (await addCode(deps.db, { cardId, code: entry.code, openid, source: "getcardlist", takenAt: now }, now))
          added++;
      } catch (error) {
        // The push arrived at this moment and made it.
        if (!isUniqueViolation(error)) throw error;
      }
    }
  }
  return added;
}

/**
 * 我的卡券: the person's codes, newest first. With `topUp`, card/user/getcardlist is asked first for
 * codes we missed (a call to WeChat per openid: the page asks on open, not on every render).
 */
export async function myCards(
  deps: CardDeps,
  userId: string,
  options: { topUp?: boolean } = {},
): Promise<{ cards: MyCard[]; toppedUp: number }> {
  const openids = await openidsOf(deps, userId);
  if (openids.length === 0) return { cards: [], toppedUp: 0 };
  const toppedUp = options.topUp ? await topUp(deps, openids) : 0;
  const rows = await deps.db.cardCode.findMany({
    where: { openid: { in: openids }, card: { appId: deps.appId } },
    include: { card: true },
    orderBy: [{ takenAt: "desc" }, { id: "desc" }],
    take: 200,
  });
  const nowMs = deps.now().getTime();
  const cards = rows.map((row): MyCard => {
    const draft = JSON.parse(row.card.draft) as CardDraft;
    const validity = codeValidity(draft.date, row.takenAt);
    const state = shownState(isCodeState(row.state) ? row.state : "NORMAL", validity, nowMs);
    return {
      code: row.code,
      state,
      stateLabel: CODE_STATE_LABELS[state],
      usable: state === "NORMAL" && nowMs >= validity.from && row.card.deletedAt === null,
      takenAt: row.takenAt.toISOString(),
      validFrom: new Date(validity.from).toISOString(),
      validUntil: new Date(validity.until).toISOString(),
      fromFriend: row.fromFriend,
      card: {
        id: row.card.id,
        wxCardId: row.card.wxCardId,
        title: row.card.title,
        brandName: row.card.brandName,
        type: row.card.type as CardType,
        typeLabel: CARD_TYPE_LABELS[row.card.type as CardType] ?? row.card.type,
        color: draft.color,
        colorHex: (CARD_COLORS as Record<string, string>)[draft.color] ?? null,
        logoId: row.card.logoId,
        deleted: row.card.deletedAt !== null,
      },
    };
  });
  return { cards, toppedUp };
}

/** GET /api/wechat/card-ext?cardId=&outerStr=: our card id (or WeChat's card_id), and a channel. */
export const cardExtQuery = z.object({
  cardId: z.string().min(1).max(64),
  outerStr: z.string().refine(isOuterStr, "渠道标识须为 1–128 个字母、数字、_ 或 -。").optional(),
});

/** How long a signed cardExt holds a get_limit place: as long as WeChat takes its timestamp as fresh. */
export const CLAIM_SECONDS = 300;

export interface CardOffer {
  /** WeChat's card_id and the signed cardExt: one entry of wx.addCard's cardList. */
  readonly cardId: string;
  readonly cardExt: string;
  /** The get_limit place this cardExt holds: the page gives it back after a cancel (releaseCardClaim). */
  readonly claimId: string;
  readonly card: {
    readonly id: string;
    readonly title: string;
    readonly brandName: string;
    readonly type: CardType;
    readonly typeLabel: string;
    readonly colorHex: string | null;
    readonly getLimit: number;
    /** codes this person holds of it (given away ones not counted, as WeChat counts) */
    readonly taken: number;
  };
}

/**
 * A signed cardExt for the signed-in person: the card ours, approved, not deleted, in stock, and the
 * person below its get_limit (counted as WeChat counts: every code they hold or held of it but those
 * given away, plus the cardExts signed for them that WeChat has not answered yet). Otherwise a Chinese
 * refusal before any signature. Signed with the central wx_card ticket.
 *
 * The place is held by a CardClaim in the same transaction as the count, on a slot unique per card and
 * person below get_limit: two requests at once compute the same free slot and one of them fails on the
 * unique key, runs again and counts the other's claim. So however many requests race, no more cardExts
 * are out than places left.
 */
export async function cardOffer(
  deps: CardDeps,
  userId: string,
  input: { cardId: string; outerStr?: string },
): Promise<CardOffer> {
  const card = await deps.db.card.findFirst({
    where: { appId: deps.appId, OR: [{ id: input.cardId }, { wxCardId: input.cardId }] },
  });
  if (!card || card.deletedAt !== null) throw new AppError("card_unavailable");
  if (card.reviewStatus !== "VERIFY_OK")
    throw new AppError("card_unavailable", {
      userMessage:
        card.reviewStatus === "VERIFY_FAIL" ? "这张券没有通过审核，不能领取。" : "这张券还在审核中，暂时不能领取。",
    });
  const draft = JSON.parse(card.draft) as CardDraft;
  const now = deps.now();
  const nowMs = now.getTime();
  const end = draft.date.endTimestamp;
  if (end !== undefined && end * 1000 <= nowMs) throw new AppError("card_unavailable");
  if (card.quantity <= 0) throw new AppError("card_out_of_stock");
  const openids = await openidsOf(deps, userId);
  // Asked before the claim: a ticket failure holds no place.
  const ticket = await deps.cardTicket();
  const { claimId, taken } = await retryingTransaction(deps, async (tx) => {
    await tx.cardClaim.deleteMany({ where: { cardId: card.id, userId, expiresAt: { lte: now } } });
    const taken = await tx.cardCode.count({
      where: { cardId: card.id, openid: { in: openids }, state: { not: "GIFTED" } },
    });
    if (taken >= card.getLimit)
      throw new AppError("card_get_limit", {
        userMessage: `每人限领 ${card.getLimit} 张，你已经领过了。`,
        extra: { getLimit: card.getLimit, taken },
      });
    const held = await tx.cardClaim.findMany({ where: { cardId: card.id, userId }, select: { slot: true } });
    if (taken + held.length >= card.getLimit)
      throw new AppError("card_claim_pending", { extra: { getLimit: card.getLimit, taken, pending: held.length } });
    const used = new Set(held.map((c) => c.slot));
    let slot = 0;
    while (used.has(slot)) slot++;
    const claim = await tx.cardClaim.create({
      data: { cardId: card.id, userId, slot, createdAt: now, expiresAt: new Date(nowMs + CLAIM_SECONDS * 1000) },
      select: { id: true },
    });
    return { claimId: claim.id, taken };
  });
  const entry = createCardExt({
    apiTicket: ticket.value,
    cardId: card.wxCardId,
    nowMs,
    randomBytes: deps.randomBytes,
    ...(input.outerStr ? { outerStr: input.outerStr } : {}),
  });
  return {
    cardId: entry.cardId,
    cardExt: entry.cardExt,
    claimId,
    card: {
      id: card.id,
      title: card.title,
      brandName: card.brandName,
      type: card.type as CardType,
      typeLabel: CARD_TYPE_LABELS[card.type as CardType] ?? card.type,
      colorHex: (CARD_COLORS as Record<string, string>)[draft.color] ?? null,
      getLimit: card.getLimit,
      taken,
    },
  };
}

/** POST /api/wechat/card-ext/release: the claim of a cardExt whose wx.addCard was cancelled or failed. */
export const releaseClaimBody = z.object({ claimId: z.string().min(1).max(64) });

/** Gives back the place a cardExt held (the person cancelled wx.addCard): only the person's own claim. */
export async function releaseCardClaim(
  deps: Pick<CardDeps, "db">,
  userId: string,
  claimId: string,
): Promise<{ released: boolean }> {
  const { count } = await deps.db.cardClaim.deleteMany({ where: { id: claimId, userId } });
  return { released: count > 0 };
}
