// The H5 page that offers a card (/cards/<id>): what a person sees before 领取到卡包, from our own record of
// the card (WeChat's card pages show only inside WeChat). Whether it can be taken now is said in Chinese;
// the take itself goes through GET /api/wechat/card-ext (cardOffer in mine.ts), which checks again.
import { AppError } from "@/lib/errors";
import {
  CARD_COLORS,
  CARD_TYPE_LABELS,
  formatDiscount,
  formatFen,
  type CardDraft,
  type CardType,
} from "@/lib/wechat/card";
import type { CardDeps } from "./cards";
import { validityLabel } from "./model";

export type OfferState = "open" | "pending" | "refused" | "deleted" | "expired" | "out_of_stock";

export interface CardOfferPage {
  readonly state: OfferState;
  /** Why it cannot be taken now, in Chinese (null when open). */
  readonly notice: string | null;
  readonly card: {
    readonly id: string;
    readonly title: string;
    readonly brandName: string;
    readonly typeLabel: string;
    /** What it gives: "减 ¥10（满 ¥100 可用）", "7折", the gift or the detail. */
    readonly benefit: string;
    readonly validity: string;
    readonly notice: string;
    readonly description: string;
    readonly colorHex: string;
    readonly getLimit: number;
    /** Our copy of its logo (WeChat's mmbiz address shows only inside WeChat), or null. */
    readonly logoUrl: string | null;
  };
}

/** What a coupon gives, in one line, amounts in ¥ from fen. */
export function benefitOfDraft(draft: CardDraft): string {
  switch (draft.type) {
    case "CASH":
      return `减 ¥${formatFen(draft.reduceCost)}${draft.leastCost > 0 ? `（满 ¥${formatFen(draft.leastCost)} 可用）` : "（无门槛）"}`;
    case "DISCOUNT":
      return formatDiscount(draft.discount);
    case "GIFT":
      return draft.gift;
    case "GROUPON":
      return draft.dealDetail;
    case "GENERAL_COUPON":
      return draft.defaultDetail;
  }
}

const NOTICES: Record<Exclude<OfferState, "open">, string> = {
  pending: "这张券还在微信审核中，审核通过后才能领取。",
  refused: "这张券没有通过微信审核，不能领取。",
  deleted: "这张券已停止发放。",
  expired: "这张券已过期，不能再领取。",
  out_of_stock: "券已经领完了。",
};

/** The card `id` (ours or WeChat's card_id) as the offer page shows it; card_not_found when not ours. */
export async function cardOfferPage(deps: Pick<CardDeps, "db" | "appId" | "now">, id: string): Promise<CardOfferPage> {
  const card = await deps.db.card.findFirst({
    where: { appId: deps.appId, OR: [{ id }, { wxCardId: id }] },
  });
  if (!card) throw new AppError("card_not_found");
  const draft = JSON.parse(card.draft) as CardDraft;
  const end = draft.date.endTimestamp;
  const state: OfferState =
    card.deletedAt !== null
      ? "deleted"
      : card.reviewStatus === "VERIFY_FAIL"
        ? "refused"
        : card.reviewStatus !== "VERIFY_OK"
          ? "pending"
          : end !== undefined && end * 1000 <= deps.now().getTime()
            ? "expired"
            : card.quantity <= 0
              ? "out_of_stock"
              : "open";
  return {
    state,
    notice: state === "open" ? null : NOTICES[state],
    card: {
      id: card.id,
      title: card.title,
      brandName: card.brandName,
      typeLabel: CARD_TYPE_LABELS[card.type as CardType] ?? card.type,
      benefit: benefitOfDraft(draft),
      validity: validityLabel(draft.date),
      notice: draft.notice,
      description: draft.description,
      colorHex: (CARD_COLORS as Record<string, string>)[draft.color] ?? "#63b359",
      getLimit: card.getLimit,
      logoUrl: card.logoId ? `/api/cards/logos/${card.logoId}` : null,
    },
  };
}
