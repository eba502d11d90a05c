// A coupon as it shows in the WeChat card pack, inside a phone's outline: the colour's band with the logo,
// brand and title, what the coupon gives, its dates and the notice. Used live by 新建卡券 and on a card's
// page. Only a likeness: WeChat draws the real one.
import { CARD_COLORS, CARD_TYPE_LABELS, formatDiscount, formatFen, type CardType } from "@/lib/wechat/card/draft";

export interface PreviewCard {
  type: CardType;
  brandName: string;
  title: string;
  color: string;
  notice: string;
  /** "2026-12-04 至 2027-01-04", "领取后当天生效，30 天内有效" */
  validity: string;
  /** fen; CASH */
  leastCost?: number | null;
  reduceCost?: number | null;
  /** percent off; DISCOUNT */
  discount?: number | null;
  /** the type's own text (团购详情, 兑换内容, 优惠详情) */
  detail?: string;
  logoSrc: string | null;
}

/** What a coupon gives, in one line: "减 ¥10（满 ¥100 可用）", "7折". */
export function benefitOf(card: Pick<PreviewCard, "type" | "leastCost" | "reduceCost" | "discount" | "detail">) {
  const valid = (n: number | null | undefined): n is number => typeof n === "number" && Number.isInteger(n);
  switch (card.type) {
    case "CASH":
      if (!valid(card.reduceCost)) return "代金券";
      return `减 ¥${formatFen(card.reduceCost)}${valid(card.leastCost) && card.leastCost > 0 ? `（满 ¥${formatFen(card.leastCost)} 可用）` : "（无门槛）"}`;
    case "DISCOUNT":
      return valid(card.discount) && card.discount >= 1 && card.discount <= 99
        ? formatDiscount(card.discount)
        : "折扣券";
    default:
      return card.detail?.trim() || CARD_TYPE_LABELS[card.type];
  }
}

export function CardPreview({ card }: { card: PreviewCard }) {
  const color = (CARD_COLORS as Record<string, string>)[card.color] ?? "#63b359";
  return (
    <figure
      aria-label="卡券预览"
      data-testid="card-preview"
      className="mx-auto w-[300px] rounded-[36px] border-[10px] border-neutral-800 bg-neutral-100 shadow-lg"
    >
      <div className="mx-auto mt-2 h-4 w-24 rounded-full bg-neutral-800" aria-hidden />
      <div className="px-3 pt-3 pb-6 text-center text-xs text-neutral-500">卡券详情</div>
      <div className="mx-3 mb-6 overflow-hidden rounded-xl bg-white shadow-sm">
        <div className="flex flex-col items-center gap-2 px-4 pt-5 pb-6 text-white" style={{ background: color }}>
          {card.logoSrc ? (
            // eslint-disable-next-line @next/next/no-img-element -- our own copy of the logo, a few kB
            <img
              src={card.logoSrc}
              alt="logo"
              width={48}
              height={48}
              className="h-12 w-12 rounded-full border-2 border-white bg-white object-cover"
            />
          ) : (
            <div className="h-12 w-12 rounded-full border-2 border-dashed border-white/70" aria-hidden />
          )}
          <div className="text-sm opacity-90" data-testid="card-preview-brand">
            {card.brandName || "商户名称"}
          </div>
          <div className="text-xl font-semibold break-all" data-testid="card-preview-title">
            {card.title || "卡券名称"}
          </div>
          <div className="text-sm" data-testid="card-preview-benefit">
            {benefitOf(card)}
          </div>
          <div className="mt-1 text-xs opacity-80">{card.validity}</div>
        </div>
        <div className="flex flex-col items-center gap-3 px-4 py-5">
          <span className="rounded-full px-8 py-2 text-sm text-white" style={{ background: color }}>
            立即使用
          </span>
          <p className="text-center text-xs text-neutral-500 break-all">{card.notice || "使用提醒"}</p>
        </div>
        <div className="border-t border-neutral-100 px-4 py-3 text-xs text-neutral-500">
          {CARD_TYPE_LABELS[card.type]} · 公众号
        </div>
      </div>
    </figure>
  );
}
