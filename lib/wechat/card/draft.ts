/**
 * A coupon (卡券) as staff fill it in, checked against WeChat's card/create rules before anything is
 * sent: the five common types (GROUPON 团购券, CASH 代金券, DISCOUNT 折扣券, GIFT 兑换券, GENERAL_COUPON
 * 优惠券), each rule's problem in Chinese on the field it belongs to, with the errcode WeChat would answer.
 *
 * Lengths are UTF-8 bytes: WeChat's tables give the fields as string(27), string(36), … and say "9 个汉字",
 * "12 个汉字", … — a CJK character is 3 bytes, a letter or digit 1, an emoji 4. Amounts are integers in
 * fen. Where WeChat's pages name no errcode the choice is ours and is the simulator's too (see
 * docs/wechat-protocol.md "Cards and coupons").
 *
 * Pure and isomorphic (zod and TextEncoder only), so a browser form can run the same checks.
 */
import { z } from "zod";

export const CARD_TYPES = ["GROUPON", "CASH", "DISCOUNT", "GIFT", "GENERAL_COUPON"] as const;
export type CardType = (typeof CARD_TYPES)[number];

export const CARD_TYPE_LABELS: Readonly<Record<CardType, string>> = Object.freeze({
  GROUPON: "团购券",
  CASH: "代金券",
  DISCOUNT: "折扣券",
  GIFT: "兑换券",
  GENERAL_COUPON: "优惠券",
});

/** WeChat's card colours and what they look like (the only values `color` takes). */
export const CARD_COLORS = Object.freeze({
  Color010: "#63b359",
  Color020: "#2c9f67",
  Color030: "#509fc9",
  Color040: "#5885cf",
  Color050: "#9062c0",
  Color060: "#d09a45",
  Color070: "#e4b138",
  Color080: "#ee903c",
  Color081: "#f08500",
  Color082: "#a9d92d",
  Color090: "#dd6549",
  Color100: "#cc463d",
  Color101: "#cf3e36",
  Color102: "#5e6671",
} as const);
export type CardColor = keyof typeof CARD_COLORS;
export const CARD_COLOR_NAMES = Object.keys(CARD_COLORS) as CardColor[];

export const CODE_TYPES = [
  "CODE_TYPE_TEXT",
  "CODE_TYPE_BARCODE",
  "CODE_TYPE_QRCODE",
  "CODE_TYPE_ONLY_QRCODE",
  "CODE_TYPE_ONLY_BARCODE",
  "CODE_TYPE_NONE",
] as const;
export type CodeType = (typeof CODE_TYPES)[number];

export const DATE_TYPES = ["DATE_TYPE_FIX_TIME_RANGE", "DATE_TYPE_FIX_TERM"] as const;

/** WeChat's limits, as our checks and the simulator apply them. */
export const CARD_LIMITS = Object.freeze({
  titleBytes: 27,
  brandNameBytes: 36,
  noticeBytes: 48,
  descriptionBytes: 3072,
  /** deal_detail, gift, default_detail */
  detailBytes: 3072,
  servicePhoneBytes: 24,
  logoUrlBytes: 128,
  quantityMax: 100_000_000,
  discountMin: 1,
  discountMax: 99,
  /** WeChat's integer fields are 32-bit. */
  intMax: 2_147_483_647,
});

/** The errcodes of card calls (WeChat's global table; which rule answers which is partly our reading). */
export const CARD_ERRCODES = Object.freeze({
  imageType: 40005,
  imageSize: 40009,
  invalidCode: 40056,
  invalidCardType: 40071,
  invalidCardId: 40073,
  invalidColor: 40076,
  invalidCardStatus: 40078,
  invalidTime: 40079,
  invalidCardExt: 40080,
  invalidArgs: 40097,
  consumed: 40099,
  invalidQuantity: 40122,
  notUsable: 40127,
  invalidImageUrl: 40141,
  missingField: 41011,
  missingCardId: 41012,
  tooLong: 45021,
  outOfStock: 45031,
  getLimit: 45033,
  totalStockLimit: 45041,
});

export interface CardProblem {
  /** The draft's field, dotted for nested ones ("date.endTimestamp"); "" for the whole draft. */
  readonly field: string;
  /** Chinese, for the form. */
  readonly message: string;
  /** What WeChat would answer. */
  readonly errcode: number;
}

const encoder = new TextEncoder();
export const utf8Bytes = (text: string): number => encoder.encode(text).length;

const missing = (label: string) => `请填写${label}。`;

/** A required text of at most `maxBytes` UTF-8 bytes (`cjk` CJK characters). */
function text(label: string, maxBytes: number, cjk: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? missing(label) : `${label}须为文字。`) })
    .superRefine((value, ctx) => {
      if (value.trim() === "") {
        ctx.addIssue({ code: "custom", message: missing(label), params: { errcode: CARD_ERRCODES.missingField } });
        return;
      }
      const bytes = utf8Bytes(value);
      if (bytes > maxBytes)
        ctx.addIssue({
          code: "custom",
          message: `${label}最多 ${cjk} 个汉字（${maxBytes} 字节：汉字 3 字节，字母和数字 1 字节），现在 ${bytes} 字节。`,
          params: { errcode: CARD_ERRCODES.tooLong },
        });
    });
}

/** An integer in [min, max]. */
function int(label: string, min: number, max: number, errcode: number, unit = "") {
  return z
    .number({ error: (issue) => (issue.input === undefined ? missing(label) : `${label}须为数字。`) })
    .superRefine((value, ctx) => {
      if (!Number.isInteger(value) || value < min || value > max)
        ctx.addIssue({
          code: "custom",
          message: `${label}须为 ${min.toLocaleString("en-US")}–${max.toLocaleString("en-US")} 的整数${unit}。`,
          params: { errcode },
        });
    });
}

/** Seconds since the epoch (WeChat's timestamps are unsigned 32-bit seconds). */
const seconds = (label: string) => int(label, 1, 4_294_967_295, CARD_ERRCODES.invalidTime, "（秒）");

const logoUrl = z
  .string({ error: (issue) => (issue.input === undefined ? "请上传 logo。" : "logo 地址须为文字。") })
  .superRefine((value, ctx) => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (
      !url ||
      (url.protocol !== "http:" && url.protocol !== "https:") ||
      url.hostname !== "mmbiz.qpic.cn" ||
      utf8Bytes(value) > CARD_LIMITS.logoUrlBytes
    )
      ctx.addIssue({
        code: "custom",
        message: "logo 须先通过微信的上传图片接口上传（地址为 mmbiz.qpic.cn，最长 128 字节）。",
        params: { errcode: CARD_ERRCODES.invalidImageUrl },
      });
  });

const color = z.enum(CARD_COLOR_NAMES as [CardColor, ...CardColor[]], {
  error: (issue) =>
    issue.input === undefined ? "请选择卡券颜色。" : "卡券颜色须从微信的色板中选择（Color010–Color102）。",
});

const codeType = z.enum(CODE_TYPES, {
  error: (issue) => (issue.input === undefined ? "请选择券码展示方式。" : "券码展示方式无效。"),
});

const bool = (label: string) =>
  z.boolean({ error: (issue) => (issue.input === undefined ? `请选择${label}。` : `${label}须为是或否。`) });

const servicePhone = z
  .string({ error: "客服电话须为文字。" })
  .superRefine((value, ctx) => {
    if (!/^[0-9+\- ]{1,24}$/.test(value) || utf8Bytes(value) > CARD_LIMITS.servicePhoneBytes)
      ctx.addIssue({
        code: "custom",
        message: "客服电话最多 24 位，只能有数字、+、- 和空格。",
        params: { errcode: CARD_ERRCODES.tooLong },
      });
  })
  .optional();

const dateInfo = z.discriminatedUnion(
  "type",
  [
    z.object({
      type: z.literal("DATE_TYPE_FIX_TIME_RANGE"),
      beginTimestamp: seconds("开始时间"),
      endTimestamp: seconds("结束时间"),
    }),
    z.object({
      type: z.literal("DATE_TYPE_FIX_TERM"),
      /** Days the card stays valid once taken (not 0). */
      fixedTerm: int("领取后有效天数", 1, CARD_LIMITS.intMax, CARD_ERRCODES.invalidTime, "（天）"),
      /** Days after taking it before it starts (0: the same day). */
      fixedBeginTerm: int("领取后生效天数", 0, CARD_LIMITS.intMax, CARD_ERRCODES.invalidTime, "（天）"),
      /** Optional: every taken card expires at this moment whatever its term. */
      endTimestamp: seconds("统一过期时间").optional(),
    }),
  ],
  { error: "有效期类型须为固定日期区间或领取后固定天数。" },
);

const baseShape = {
  logoUrl,
  brandName: text("商户名称", CARD_LIMITS.brandNameBytes, 12),
  title: text("卡券名称", CARD_LIMITS.titleBytes, 9),
  color,
  notice: text("使用提醒", CARD_LIMITS.noticeBytes, 16),
  description: text("使用说明", CARD_LIMITS.descriptionBytes, 1024),
  codeType,
  servicePhone,
  /** sku.quantity: the stock at creation. */
  quantity: int("库存", 0, CARD_LIMITS.quantityMax, CARD_ERRCODES.invalidQuantity, "（张）"),
  /** How many one person may take. */
  getLimit: int("每人限领", 1, CARD_LIMITS.quantityMax, CARD_ERRCODES.invalidArgs, "（张）"),
  canShare: bool("是否可分享"),
  canGiveFriend: bool("是否可转赠"),
  date: dateInfo,
};

const fen = (label: string, min: number) =>
  int(label, min, CARD_LIMITS.intMax, CARD_ERRCODES.invalidArgs, "（单位：分）");

const draftUnion = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("GROUPON"), ...baseShape, dealDetail: text("团购详情", CARD_LIMITS.detailBytes, 1024) }),
    z.object({
      type: z.literal("CASH"),
      ...baseShape,
      /** 起用金额 in fen: 0 = no minimum. */
      leastCost: fen("起用金额", 0),
      /** 减免金额 in fen. */
      reduceCost: fen("减免金额", 1),
    }),
    z.object({
      type: z.literal("DISCOUNT"),
      ...baseShape,
      /** Percent off: 30 = 30 % off (七折). */
      discount: int("折扣额度", CARD_LIMITS.discountMin, CARD_LIMITS.discountMax, CARD_ERRCODES.invalidArgs, "（%）"),
    }),
    z.object({ type: z.literal("GIFT"), ...baseShape, gift: text("兑换内容", CARD_LIMITS.detailBytes, 1024) }),
    z.object({
      type: z.literal("GENERAL_COUPON"),
      ...baseShape,
      defaultDetail: text("优惠详情", CARD_LIMITS.detailBytes, 1024),
    }),
  ],
  { error: "卡券类型须为团购券、代金券、折扣券、兑换券或优惠券。" },
);

/** The draft's schema on a clock: an end time must lie after `nowMs`. */
export function cardDraftSchema(nowMs: number) {
  const now = Math.floor(nowMs / 1000);
  return draftUnion.superRefine((draft, ctx) => {
    const problem = (path: string[], message: string, errcode: number) =>
      ctx.addIssue({ code: "custom", path, message, params: { errcode } });
    // Each field's own problems are reported already (zod runs this refinement anyway): judge the
    // relations only between values that are valid on their own.
    const valid = (v: unknown, min: number) => typeof v === "number" && Number.isInteger(v) && v >= min;
    const d = draft.date;
    if (d.type === "DATE_TYPE_FIX_TIME_RANGE") {
      if (valid(d.beginTimestamp, 1) && valid(d.endTimestamp, 1)) {
        if (d.endTimestamp <= d.beginTimestamp)
          problem(["date", "endTimestamp"], "结束时间须晚于开始时间。", CARD_ERRCODES.invalidTime);
        else if (d.endTimestamp <= now)
          problem(["date", "endTimestamp"], "结束时间须在未来。", CARD_ERRCODES.invalidTime);
      }
    } else if (d.endTimestamp !== undefined && valid(d.endTimestamp, 1) && d.endTimestamp <= now) {
      problem(["date", "endTimestamp"], "统一过期时间须在未来。", CARD_ERRCODES.invalidTime);
    }
    if (
      draft.type === "CASH" &&
      valid(draft.leastCost, 1) &&
      valid(draft.reduceCost, 1) &&
      draft.leastCost < draft.reduceCost
    )
      problem(
        ["leastCost"],
        "起用金额须为 0（无门槛），或不低于减免金额（满多少才能减多少）。",
        CARD_ERRCODES.invalidArgs,
      );
  });
}

export type CardDraftInput = z.input<typeof draftUnion>;
export type CardDraft = z.output<typeof draftUnion>;
export type CardDate = CardDraft["date"];

/** The draft, or every problem with it (all at once, each on its field). */
export function parseCardDraft(
  input: unknown,
  nowMs: number,
): { ok: true; draft: CardDraft } | { ok: false; problems: CardProblem[] } {
  const parsed = cardDraftSchema(nowMs).safeParse(input, { reportInput: true });
  if (parsed.success) return { ok: true, draft: parsed.data };
  return { ok: false, problems: parsed.error.issues.map(problemOf) };
}

/** Every problem with `input` as a card draft; empty when it may be sent. */
export function cardDraftProblems(input: unknown, nowMs: number): CardProblem[] {
  const parsed = parseCardDraft(input, nowMs);
  return parsed.ok ? [] : parsed.problems;
}

function problemOf(issue: z.core.$ZodIssue): CardProblem {
  const field = issue.path.map(String).join(".");
  const params = (issue as { params?: { errcode?: unknown } }).params;
  if (typeof params?.errcode === "number") return { field, message: issue.message, errcode: params.errcode };
  if (issue.code === "invalid_type" && !("input" in issue && issue.input !== undefined))
    return { field, message: issue.message, errcode: CARD_ERRCODES.missingField };
  if (field === "type") return { field, message: issue.message, errcode: CARD_ERRCODES.invalidCardType };
  if (field === "color") return { field, message: issue.message, errcode: CARD_ERRCODES.invalidColor };
  if (field.startsWith("date")) return { field, message: issue.message, errcode: CARD_ERRCODES.invalidTime };
  if (field === "") return { field, message: "卡券内容须为一个对象。", errcode: CARD_ERRCODES.missingField };
  return { field, message: issue.message, errcode: CARD_ERRCODES.invalidArgs };
}

const lower: Readonly<Record<CardType, string>> = {
  GROUPON: "groupon",
  CASH: "cash",
  DISCOUNT: "discount",
  GIFT: "gift",
  GENERAL_COUPON: "general_coupon",
};

/** card/create's body for a checked draft. We issue WeChat's codes (no custom codes, no bound openid). */
export function cardCreateBody(draft: CardDraft): { card: Record<string, unknown> } {
  const d = draft.date;
  const dateInfo =
    d.type === "DATE_TYPE_FIX_TIME_RANGE"
      ? { type: d.type, begin_timestamp: d.beginTimestamp, end_timestamp: d.endTimestamp }
      : {
          type: d.type,
          fixed_term: d.fixedTerm,
          fixed_begin_term: d.fixedBeginTerm,
          ...(d.endTimestamp !== undefined ? { end_timestamp: d.endTimestamp } : {}),
        };
  const base_info = {
    logo_url: draft.logoUrl,
    brand_name: draft.brandName,
    code_type: draft.codeType,
    title: draft.title,
    color: draft.color,
    notice: draft.notice,
    description: draft.description,
    date_info: dateInfo,
    sku: { quantity: draft.quantity },
    get_limit: draft.getLimit,
    use_custom_code: false,
    bind_openid: false,
    can_share: draft.canShare,
    can_give_friend: draft.canGiveFriend,
    ...(draft.servicePhone !== undefined ? { service_phone: draft.servicePhone } : {}),
  };
  const special =
    draft.type === "GROUPON"
      ? { deal_detail: draft.dealDetail }
      : draft.type === "CASH"
        ? { least_cost: draft.leastCost, reduce_cost: draft.reduceCost }
        : draft.type === "DISCOUNT"
          ? { discount: draft.discount }
          : draft.type === "GIFT"
            ? { gift: draft.gift }
            : { default_detail: draft.defaultDetail };
  return { card: { card_type: draft.type, [lower[draft.type]]: { base_info, ...special } } };
}

/** The object key of a type in card/create and card/get ("general_coupon"). */
export function cardTypeKey(type: CardType): string {
  return lower[type];
}

/** Fen as yuan for display: 1234 → "12.34", 500 → "5". */
export function formatFen(fen: number): string {
  const yuan = Math.trunc(fen / 100);
  const cents = Math.abs(fen % 100);
  return cents === 0 ? String(yuan) : `${yuan}.${String(cents).padStart(2, "0").replace(/0$/, "")}`;
}

/** A DISCOUNT's `discount` (percent off) as Chinese 折: 30 → "7折", 15 → "8.5折". */
export function formatDiscount(percentOff: number): string {
  const tenths = 100 - percentOff;
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)}折`;
}
