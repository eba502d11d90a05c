/**
 * Cards and coupons (卡券) with the basic access_token, on the CgiClient: the logo upload
 * (cgi-bin/media/uploadimg), card/create, card/get, card/batchget, card/modifystock, card/delete,
 * card/qrcode/create, card/code/get, card/code/consume and card/user/getcardlist.
 *
 * Everything WeChat would refuse is refused here first (CardRefusedError, with every problem on its
 * field), and every answer is validated once into typed values. Calls that act twice if sent twice
 * (create, modifystock, delete, qrcode/create, consume) are never retried.
 */
import { z } from "zod";
import type { CgiClient } from "../cgi";
import { WeChatApiError } from "../errors";
import {
  CARD_COLORS,
  CARD_ERRCODES,
  CARD_LIMITS,
  CARD_TYPES,
  cardCreateBody,
  cardTypeKey,
  parseCardDraft,
  type CardProblem,
  type CardType,
  type CodeType,
} from "./draft";
import { checkLogo } from "./logo";

/** A request refused before calling WeChat: the first problem's errcode, and every problem for the form. */
export class CardRefusedError extends WeChatApiError {
  constructor(
    endpoint: string,
    readonly problems: readonly CardProblem[],
  ) {
    const first = problems[0]!;
    super({ errcode: first.errcode, errmsg: `refused before calling WeChat: ${first.message}`, endpoint });
  }
}

export const CARD_STATUSES = [
  "CARD_STATUS_NOT_VERIFY",
  "CARD_STATUS_VERIFY_FAIL",
  "CARD_STATUS_VERIFY_OK",
  "CARD_STATUS_DELETE",
  "CARD_STATUS_DISPATCH",
] as const;
/** NOT_VERIFY 待审核, VERIFY_FAIL 审核未通过, VERIFY_OK 通过, DELETE 已删除, DISPATCH 已在公众平台投放. */
export type CardStatus = (typeof CARD_STATUSES)[number];

export const USER_CARD_STATUSES = [
  "NORMAL",
  "CONSUMED",
  "EXPIRE",
  "GIFTING",
  "GIFT_SUCC",
  "GIFT_TIMEOUT",
  "DELETE",
  "UNAVAILABLE",
] as const;
/** A taken code's state in card/code/get. */
export type UserCardStatus = (typeof USER_CARD_STATUSES)[number];

export type CardInfoDate =
  | { readonly type: "DATE_TYPE_FIX_TIME_RANGE"; readonly beginTimestamp: number; readonly endTimestamp: number }
  | {
      readonly type: "DATE_TYPE_FIX_TERM";
      readonly fixedTerm: number;
      readonly fixedBeginTerm: number;
      readonly endTimestamp: number | null;
    };

/** card/get, as typed values. */
export interface CardInfo {
  readonly cardId: string;
  readonly type: CardType;
  readonly status: CardStatus;
  readonly logoUrl: string;
  readonly brandName: string;
  readonly title: string;
  /** "Color010"…; a hex answer that is one of WeChat's colours is given as its name. */
  readonly color: string;
  readonly notice: string;
  readonly description: string;
  readonly codeType: CodeType | string;
  readonly date: CardInfoDate;
  /** Stock left. */
  readonly quantity: number;
  /** Stock ever put in (created plus added). */
  readonly totalQuantity: number | null;
  readonly getLimit: number | null;
  readonly canShare: boolean | null;
  readonly canGiveFriend: boolean | null;
  readonly servicePhone: string | null;
  /** seconds */
  readonly createTime: number | null;
  readonly updateTime: number | null;
  readonly dealDetail?: string;
  readonly leastCost?: number;
  readonly reduceCost?: number;
  readonly discount?: number;
  readonly gift?: string;
  readonly defaultDetail?: string;
}

/** card/code/get */
export interface CodeInfo {
  readonly cardId: string;
  readonly openid: string;
  readonly canConsume: boolean;
  readonly status: UserCardStatus;
  /** seconds: when this code may be used from and until (a FIX_TERM card: from the take) */
  readonly beginTime: number | null;
  readonly endTime: number | null;
}

export interface CardQrCode {
  readonly ticket: string;
  /** What the code encodes: draw it from this. */
  readonly url: string;
  /** WeChat's own image of it. */
  readonly showQrcodeUrl: string | null;
  readonly expireSeconds: number | null;
}

export const QR_CARD_EXPIRE_MIN = 60;
export const QR_CARD_EXPIRE_MAX = 1800;
export const OUTER_STR_MAX = 128;
export const BATCHGET_MAX = 50;

const num = (value: unknown) => (typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value);
const int = z.preprocess(num, z.number().int());
const boolish = z.preprocess((v) => (v === 0 || v === 1 ? v === 1 : v), z.boolean());
const hexToName = new Map(Object.entries(CARD_COLORS).map(([name, hex]) => [hex.toLowerCase(), name]));

const dateInfoSchema = z
  .object({
    type: z.preprocess(
      (v) => (v === 1 || v === "1" ? "DATE_TYPE_FIX_TIME_RANGE" : v === 2 || v === "2" ? "DATE_TYPE_FIX_TERM" : v),
      z.enum(["DATE_TYPE_FIX_TIME_RANGE", "DATE_TYPE_FIX_TERM"]),
    ),
    begin_timestamp: int.optional(),
    end_timestamp: int.optional(),
    fixed_term: int.optional(),
    fixed_begin_term: int.optional(),
  })
  .transform((d, ctx): CardInfoDate => {
    if (d.type === "DATE_TYPE_FIX_TIME_RANGE" && d.begin_timestamp !== undefined && d.end_timestamp !== undefined)
      return { type: d.type, beginTimestamp: d.begin_timestamp, endTimestamp: d.end_timestamp };
    if (d.type === "DATE_TYPE_FIX_TERM" && d.fixed_term !== undefined)
      return {
        type: d.type,
        fixedTerm: d.fixed_term,
        fixedBeginTerm: d.fixed_begin_term ?? 0,
        endTimestamp: d.end_timestamp || null,
      };
    ctx.addIssue({ code: "custom", message: `date_info of type ${d.type} lacks its fields` });
    return z.NEVER;
  });

const baseInfoSchema = z.object({
  id: z.string().min(1).optional(),
  logo_url: z.string(),
  code_type: z.string(),
  brand_name: z.string(),
  title: z.string(),
  color: z.string(),
  notice: z.string(),
  description: z.string(),
  date_info: dateInfoSchema,
  sku: z.object({ quantity: int, total_quantity: int.optional() }),
  status: z.enum(CARD_STATUSES),
  get_limit: int.optional(),
  can_share: boolish.optional(),
  can_give_friend: boolish.optional(),
  service_phone: z.string().optional(),
  create_time: int.optional(),
  update_time: int.optional(),
});

const specialSchema = z.object({
  deal_detail: z.string().optional(),
  least_cost: int.optional(),
  reduce_cost: int.optional(),
  discount: int.optional(),
  gift: z.string().optional(),
  default_detail: z.string().optional(),
});

function cardInfoSchema(cardId: string) {
  return z
    .object({ card: z.object({ card_type: z.enum(CARD_TYPES) }).catchall(z.unknown()) })
    .transform((body, ctx): CardInfo => {
      const type = body.card.card_type;
      const inner = z.object({ base_info: baseInfoSchema }).and(specialSchema).safeParse(body.card[cardTypeKey(type)]);
      if (!inner.success) {
        for (const issue of inner.error.issues)
          ctx.addIssue({ code: "custom", message: issue.message, path: ["card", cardTypeKey(type), ...issue.path] });
        return z.NEVER;
      }
      const b = inner.data.base_info;
      const s = inner.data;
      return {
        cardId: b.id ?? cardId,
        type,
        status: b.status,
        logoUrl: b.logo_url,
        brandName: b.brand_name,
        title: b.title,
        color: hexToName.get(b.color.toLowerCase()) ?? b.color,
        notice: b.notice,
        description: b.description,
        codeType: b.code_type,
        date: b.date_info,
        quantity: b.sku.quantity,
        totalQuantity: b.sku.total_quantity ?? null,
        getLimit: b.get_limit ?? null,
        canShare: b.can_share ?? null,
        canGiveFriend: b.can_give_friend ?? null,
        servicePhone: b.service_phone || null,
        createTime: b.create_time ?? null,
        updateTime: b.update_time ?? null,
        ...(s.deal_detail !== undefined ? { dealDetail: s.deal_detail } : {}),
        ...(s.least_cost !== undefined ? { leastCost: s.least_cost } : {}),
        ...(s.reduce_cost !== undefined ? { reduceCost: s.reduce_cost } : {}),
        ...(s.discount !== undefined ? { discount: s.discount } : {}),
        ...(s.gift !== undefined ? { gift: s.gift } : {}),
        ...(s.default_detail !== undefined ? { defaultDetail: s.default_detail } : {}),
      };
    });
}

const cardIdText = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const ok = z.object({}).transform(() => undefined);
const uploaded = z.object({ url: z.url({ protocol: /^https?$/ }) }).transform((b) => ({ url: b.url }));
const created = z.object({ card_id: cardIdText }).transform((b) => ({ cardId: b.card_id }));
const batch = z
  .object({ card_id_list: z.array(cardIdText).optional(), total_num: int })
  .transform((b) => ({ cardIds: b.card_id_list ?? [], total: b.total_num }));
const qrcode = z
  .object({
    ticket: z.string().min(1),
    url: z.string().min(1),
    show_qrcode_url: z.string().optional(),
    expire_seconds: int.optional(),
  })
  .transform((b): CardQrCode => ({
    ticket: b.ticket,
    url: b.url,
    showQrcodeUrl: b.show_qrcode_url ?? null,
    expireSeconds: b.expire_seconds ?? null,
  }));
const openidText = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const codeInfo = z
  .object({
    card: z.object({ card_id: cardIdText, begin_time: int.optional(), end_time: int.optional() }),
    openid: openidText,
    can_consume: boolish,
    user_card_status: z.enum(USER_CARD_STATUSES),
  })
  .transform((b): CodeInfo => ({
    cardId: b.card.card_id,
    openid: b.openid,
    canConsume: b.can_consume,
    status: b.user_card_status,
    beginTime: b.card.begin_time ?? null,
    endTime: b.card.end_time ?? null,
  }));
const consumed = z
  .object({ card: z.object({ card_id: cardIdText }), openid: openidText })
  .transform((b) => ({ cardId: b.card.card_id, openid: b.openid }));
const cardList = z
  .object({ card_list: z.array(z.object({ code: z.string().min(1), card_id: cardIdText })).optional() })
  .transform((b) => (b.card_list ?? []).map((c) => ({ code: c.code, cardId: c.card_id })));

/** A code as staff type or scan it: digits and letters, nothing else (spaces and dashes are dropped). */
export function normalizeCode(input: string): string {
  return input.replace(/[\s-]/g, "");
}

const CODE_PATTERN = /^[A-Za-z0-9]{1,64}$/;

export class WeChatCards {
  constructor(private readonly cgi: CgiClient) {}

  /** media/uploadimg after checkLogo: the mmbiz.qpic.cn address to put in logoUrl. */
  async uploadLogo(image: Uint8Array): Promise<{ url: string }> {
    const endpoint = "/cgi-bin/media/uploadimg";
    const check = checkLogo(image);
    if (!check.ok)
      throw new CardRefusedError(endpoint, [{ field: "logo", message: check.message, errcode: check.errcode }]);
    return this.cgi.call({
      method: "POST",
      path: endpoint,
      upload: { field: "buffer", filename: `logo.${check.extension}`, contentType: check.contentType, data: image },
      schema: uploaded,
      // Sent twice it makes a second copy of the picture: harmless.
      idempotent: true,
    });
  }

  /** card/create after parseCardDraft (on `nowMs`, the clock end times are judged by). */
  async create(input: unknown, nowMs: number): Promise<{ cardId: string }> {
    const parsed = parseCardDraft(input, nowMs);
    if (!parsed.ok) throw new CardRefusedError("/card/create", parsed.problems);
    return this.cgi.call({
      method: "POST",
      path: "/card/create",
      body: cardCreateBody(parsed.draft),
      schema: created,
      idempotent: false,
    });
  }

  async get(cardId: string): Promise<CardInfo> {
    checkCardId("/card/get", cardId);
    return this.cgi.call({
      method: "POST",
      path: "/card/get",
      body: { card_id: cardId },
      schema: cardInfoSchema(cardId),
      idempotent: true,
    });
  }

  /** card/batchget: the account's card ids, `count` (1–50) from `offset`. */
  async batchGet(args: { offset: number; count: number; statusList?: readonly CardStatus[] }): Promise<{
    cardIds: string[];
    total: number;
  }> {
    if (
      !Number.isInteger(args.offset) ||
      args.offset < 0 ||
      !Number.isInteger(args.count) ||
      args.count < 1 ||
      args.count > BATCHGET_MAX
    )
      throw new CardRefusedError("/card/batchget", [
        {
          field: "count",
          message: `每次最多取 ${BATCHGET_MAX} 个，offset 须为非负整数。`,
          errcode: CARD_ERRCODES.invalidArgs,
        },
      ]);
    return this.cgi.call({
      method: "POST",
      path: "/card/batchget",
      body: { offset: args.offset, count: args.count, ...(args.statusList ? { status_list: args.statusList } : {}) },
      schema: batch,
      idempotent: true,
    });
  }

  /** card/modifystock: `delta` > 0 adds stock, < 0 removes it (WeChat refuses going below zero: 40122). */
  async modifyStock(cardId: string, delta: number): Promise<void> {
    const endpoint = "/card/modifystock";
    checkCardId(endpoint, cardId);
    if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > CARD_LIMITS.quantityMax)
      throw new CardRefusedError(endpoint, [
        {
          field: "delta",
          message: `库存变化须为非 0 整数，一次最多 ${CARD_LIMITS.quantityMax.toLocaleString("en-US")} 张。`,
          errcode: CARD_ERRCODES.invalidQuantity,
        },
      ]);
    await this.cgi.call({
      method: "POST",
      path: endpoint,
      body: { card_id: cardId, ...(delta > 0 ? { increase_stock_value: delta } : { reduce_stock_value: -delta }) },
      schema: ok,
      idempotent: false,
    });
  }

  /** card/delete: the card can no longer be taken, and codes already taken can no longer be used. */
  async delete(cardId: string): Promise<void> {
    checkCardId("/card/delete", cardId);
    await this.cgi.call({
      method: "POST",
      path: "/card/delete",
      body: { card_id: cardId },
      schema: ok,
      idempotent: false,
    });
  }

  /**
   * card/qrcode/create (QR_CARD): scanning it offers the card; `outerStr` (our channel) comes back in
   * user_get_card's OuterStr. `expireSeconds` 60–1800; without it the code lasts a year.
   */
  async createQrCode(args: { cardId: string; outerStr?: string; expireSeconds?: number }): Promise<CardQrCode> {
    const endpoint = "/card/qrcode/create";
    checkCardId(endpoint, args.cardId);
    const problems: CardProblem[] = [];
    if (args.outerStr !== undefined && !isOuterStr(args.outerStr))
      problems.push({
        field: "outerStr",
        message: `渠道标识须为 1–${OUTER_STR_MAX} 个字母、数字、_ 或 -。`,
        errcode: CARD_ERRCODES.invalidArgs,
      });
    const s = args.expireSeconds;
    if (s !== undefined && (!Number.isInteger(s) || s < QR_CARD_EXPIRE_MIN || s > QR_CARD_EXPIRE_MAX))
      problems.push({
        field: "expireSeconds",
        message: `有效期须为 ${QR_CARD_EXPIRE_MIN}–${QR_CARD_EXPIRE_MAX} 秒，不填则一年有效。`,
        errcode: CARD_ERRCODES.invalidArgs,
      });
    if (problems.length > 0) throw new CardRefusedError(endpoint, problems);
    const card = { card_id: args.cardId, ...(args.outerStr !== undefined ? { outer_str: args.outerStr } : {}) };
    return this.cgi.call({
      method: "POST",
      path: endpoint,
      body: { action_name: "QR_CARD", ...(s !== undefined ? { expire_seconds: s } : {}), action_info: { card } },
      schema: qrcode,
      idempotent: false,
    });
  }

  /**
   * card/code/get. With `checkConsume` WeChat answers a code that cannot be used now with an error
   * (40099 consumed, 40127 deleted, gifting, expired or unavailable) instead of its state.
   */
  async getCode(args: { code: string; cardId?: string; checkConsume: boolean }): Promise<CodeInfo> {
    const endpoint = "/card/code/get";
    const code = checkCode(endpoint, args.code);
    if (args.cardId !== undefined) checkCardId(endpoint, args.cardId);
    return this.cgi.call({
      method: "POST",
      path: endpoint,
      body: { code, ...(args.cardId !== undefined ? { card_id: args.cardId } : {}), check_consume: args.checkConsume },
      schema: codeInfo,
      idempotent: true,
    });
  }

  /** card/code/consume: once per code; a second consume is 40099, an unknown code 40056. Never retried. */
  async consume(args: { code: string; cardId?: string }): Promise<{ cardId: string; openid: string }> {
    const endpoint = "/card/code/consume";
    const code = checkCode(endpoint, args.code);
    if (args.cardId !== undefined) checkCardId(endpoint, args.cardId);
    return this.cgi.call({
      method: "POST",
      path: endpoint,
      body: { code, ...(args.cardId !== undefined ? { card_id: args.cardId } : {}) },
      schema: consumed,
      idempotent: false,
    });
  }

  /** card/user/getcardlist: the codes of this account's cards in the person's card pack. */
  async userCards(openid: string, cardId?: string): Promise<{ code: string; cardId: string }[]> {
    const endpoint = "/card/user/getcardlist";
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(openid))
      throw new CardRefusedError(endpoint, [{ field: "openid", message: "openid 格式不对。", errcode: 40003 }]);
    if (cardId !== undefined) checkCardId(endpoint, cardId);
    return this.cgi.call({
      method: "POST",
      path: endpoint,
      body: { openid, ...(cardId !== undefined ? { card_id: cardId } : {}) },
      schema: cardList,
      idempotent: true,
    });
  }
}

export function isOuterStr(value: string): boolean {
  return value.length >= 1 && value.length <= OUTER_STR_MAX && /^[A-Za-z0-9_-]+$/.test(value);
}

function checkCardId(endpoint: string, cardId: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cardId))
    throw new CardRefusedError(endpoint, [
      {
        field: "cardId",
        message: "card_id 格式不对。",
        errcode: cardId === "" ? CARD_ERRCODES.missingCardId : CARD_ERRCODES.invalidCardId,
      },
    ]);
}

function checkCode(endpoint: string, input: string): string {
  const code = normalizeCode(input);
  if (!CODE_PATTERN.test(code))
    throw new CardRefusedError(endpoint, [
      { field: "code", message: "券码只能有数字和字母（最多 64 位）。", errcode: CARD_ERRCODES.invalidCode },
    ]);
  return code;
}
