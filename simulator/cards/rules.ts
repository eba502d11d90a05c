/**
 * WeChat's rules for the card APIs, the simulator's own copy (nothing shared with lib/wechat/card: the
 * same bug on both sides would cancel out): what card/create accepts, the logo upload's multipart and
 * picture checks. Each check answers the errcode WeChat would, or null. The readings where WeChat's
 * pages name no code are in docs/wechat-protocol.md ("Cards and coupons").
 */

export const SIM_CARD_TYPES = ["GROUPON", "CASH", "DISCOUNT", "GIFT", "GENERAL_COUPON"] as const;
export type SimCardType = (typeof SIM_CARD_TYPES)[number];

export const COLORS: ReadonlySet<string> = new Set([
  "Color010",
  "Color020",
  "Color030",
  "Color040",
  "Color050",
  "Color060",
  "Color070",
  "Color080",
  "Color081",
  "Color082",
  "Color090",
  "Color100",
  "Color101",
  "Color102",
]);

const CODE_TYPES: ReadonlySet<string> = new Set([
  "CODE_TYPE_TEXT",
  "CODE_TYPE_BARCODE",
  "CODE_TYPE_QRCODE",
  "CODE_TYPE_ONLY_QRCODE",
  "CODE_TYPE_ONLY_BARCODE",
  "CODE_TYPE_NONE",
]);

export const MAX_QUANTITY = 100_000_000;
export const MAX_IMAGE_BYTES = 1024 * 1024;
const INT32 = 2_147_483_647;
const UINT32 = 4_294_967_295;

/** Per type: its object's key and its own required text field (CASH and DISCOUNT have numbers instead). */
export const TYPE_KEYS: Readonly<Record<SimCardType, string>> = {
  GROUPON: "groupon",
  CASH: "cash",
  DISCOUNT: "discount",
  GIFT: "gift",
  GENERAL_COUPON: "general_coupon",
};
const TYPE_TEXT: Partial<Record<SimCardType, string>> = {
  GROUPON: "deal_detail",
  GIFT: "gift",
  GENERAL_COUPON: "default_detail",
};

/** Byte limits of base_info's texts (WeChat's string(N)). */
const TEXT_BYTES: Readonly<Record<string, number>> = {
  brand_name: 36,
  title: 27,
  notice: 48,
  description: 3072,
};

export interface CardDate {
  readonly type: "DATE_TYPE_FIX_TIME_RANGE" | "DATE_TYPE_FIX_TERM";
  /** seconds */
  readonly begin: number | null;
  readonly end: number | null;
  readonly fixedTerm: number | null;
  readonly fixedBeginTerm: number | null;
}

export interface CheckedCard {
  readonly type: SimCardType;
  /** The type's object as sent (base_info and the type's own fields). */
  readonly detail: Record<string, unknown>;
  readonly baseInfo: Record<string, unknown>;
  readonly quantity: number;
  readonly getLimit: number;
  readonly canGiveFriend: boolean;
  readonly date: CardDate;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errcode: number };

const fail = (errcode: number): { ok: false; errcode: number } => ({ ok: false, errcode });
const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
const bytes = (s: string) => Buffer.byteLength(s, "utf8");
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * card/create's body, in WeChat's order of refusal as we read it: the type (40071), the fields that
 * must be there (41011), custom codes and bound openids this account may not use (43009, 40112), the
 * colour (40076), the code type (40097), the texts' lengths (45021), the logo (40141: only addresses
 * media/uploadimg gave), the dates (40079), the stock (40122), get_limit and the type's own fields (40097).
 */
export function checkCreate(
  body: Record<string, unknown>,
  nowSeconds: number,
  logoKnown: (url: string) => boolean,
): Checked<CheckedCard> {
  const card = body.card;
  if (!isObject(card)) return fail(41011);
  const type = card.card_type;
  if (typeof type !== "string" || !(SIM_CARD_TYPES as readonly string[]).includes(type)) return fail(40071);
  const t = type as SimCardType;
  const detail = card[TYPE_KEYS[t]];
  if (!isObject(detail) || !isObject(detail.base_info)) return fail(41011);
  const b = detail.base_info;
  for (const key of ["logo_url", "brand_name", "code_type", "title", "color", "notice", "description"])
    if (typeof b[key] !== "string" || (b[key] as string).trim() === "") return fail(41011);
  if (!isObject(b.date_info) || !isObject(b.sku) || b.sku.quantity === undefined) return fail(41011);
  if (b.use_custom_code === true) return fail(43009);
  if (b.bind_openid === true) return fail(40112);
  if (!COLORS.has(b.color as string)) return fail(40076);
  if (!CODE_TYPES.has(b.code_type as string)) return fail(40097);
  for (const [key, max] of Object.entries(TEXT_BYTES)) if (bytes(b[key] as string) > max) return fail(45021);
  if (b.service_phone !== undefined && (typeof b.service_phone !== "string" || bytes(b.service_phone) > 24))
    return fail(45021);
  if (!logoKnown(b.logo_url as string)) return fail(40141);

  const date = checkDate(b.date_info, nowSeconds);
  if (!date.ok) return date;
  const quantity = b.sku.quantity;
  if (!isInt(quantity, 0, MAX_QUANTITY)) return fail(40122);
  const getLimit = b.get_limit ?? 50; // WeChat's default when absent
  if (!isInt(getLimit, 1, MAX_QUANTITY)) return fail(40097);
  for (const key of ["can_share", "can_give_friend"])
    if (b[key] !== undefined && typeof b[key] !== "boolean") return fail(40097);

  const textKey = TYPE_TEXT[t];
  if (textKey !== undefined) {
    const text = detail[textKey];
    if (typeof text !== "string" || text.trim() === "") return fail(41011);
    if (bytes(text) > 3072) return fail(45021);
  } else if (t === "CASH") {
    const { least_cost: least = 0, reduce_cost: reduce } = detail;
    if (reduce === undefined) return fail(41011);
    if (!isInt(reduce, 1, INT32) || !isInt(least, 0, INT32)) return fail(40097);
    if (least !== 0 && least < reduce) return fail(40097);
  } else {
    if (detail.discount === undefined) return fail(41011);
    if (!isInt(detail.discount, 1, 99)) return fail(40097);
  }
  return {
    ok: true,
    value: {
      type: t,
      detail,
      baseInfo: b,
      quantity,
      getLimit,
      canGiveFriend: b.can_give_friend !== false,
      date: date.value,
    },
  };
}

function checkDate(info: Record<string, unknown>, now: number): Checked<CardDate> {
  const type = info.type === 1 ? "DATE_TYPE_FIX_TIME_RANGE" : info.type === 2 ? "DATE_TYPE_FIX_TERM" : info.type;
  if (type === "DATE_TYPE_FIX_TIME_RANGE") {
    const { begin_timestamp: begin, end_timestamp: end } = info;
    if (begin === undefined || end === undefined) return fail(41011);
    if (!isInt(begin, 1, UINT32) || !isInt(end, 1, UINT32) || end <= begin || end <= now) return fail(40079);
    return { ok: true, value: { type, begin, end, fixedTerm: null, fixedBeginTerm: null } };
  }
  if (type === "DATE_TYPE_FIX_TERM") {
    const { fixed_term: term, fixed_begin_term: beginTerm = 0, end_timestamp: end } = info;
    if (term === undefined) return fail(41011);
    if (!isInt(term, 1, INT32) || !isInt(beginTerm, 0, INT32)) return fail(40079);
    if (end !== undefined && (!isInt(end, 1, UINT32) || end <= now)) return fail(40079);
    return {
      ok: true,
      value: {
        type,
        begin: null,
        end: (end as number | undefined) ?? null,
        fixedTerm: term,
        fixedBeginTerm: beginTerm,
      },
    };
  }
  return fail(40079);
}

/** The `name` part of a multipart/form-data body, or undefined (no boundary, no such part). */
export function multipartFile(
  contentType: string | undefined,
  body: Buffer,
  name: string,
): { data: Buffer; filename: string | null } | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  if (!/^multipart\/form-data/i.test(contentType ?? "") || !match) return undefined;
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") return undefined;
    const headerEnd = body.indexOf("\r\n\r\n", start);
    if (headerEnd === -1) return undefined;
    const headers = body.subarray(start, headerEnd).toString("utf8");
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headerEnd + 4);
    if (next === -1) return undefined;
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? "";
    if (new RegExp(`(?:^|;)\\s*name="${name}"`).test(disposition))
      return {
        data: body.subarray(headerEnd + 4, next),
        filename: /filename="([^"]*)"/.exec(disposition)?.[1] ?? null,
      };
    at = next + 2;
  }
  return undefined;
}

/** What the picture is by its first bytes; WeChat takes JPG and PNG only. */
export function imageKind(data: Buffer): "png" | "jpg" | null {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return "png";
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "jpg";
  return null;
}

/** media/uploadimg's checks: 41005 no `buffer` part, 40009 empty, 40005 not JPG/PNG, 40009 over 1 MB. */
export function checkImage(
  contentType: string | undefined,
  body: Buffer,
): Checked<{ data: Buffer; kind: "png" | "jpg" }> {
  const file = multipartFile(contentType, body, "buffer");
  if (!file) return fail(41005);
  if (file.data.length === 0) return fail(40009);
  const kind = imageKind(file.data);
  if (!kind) return fail(40005);
  if (file.data.length > MAX_IMAGE_BYTES) return fail(40009);
  return { ok: true, value: { data: file.data, kind } };
}
