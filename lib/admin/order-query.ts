// The console's order list query, both ways, like the user list's (./user-query.ts): URL search params →
// a validated OrderQuery (zod), and an OrderQuery → the shortest URL that means the same. The list page,
// the JSON API and the CSV export read the same parameters. Pure: no Prisma, no Next.js, no Node built-ins
// (the filter form uses the money helpers in the browser).
import { z } from "zod";
import { decodeCursor, encodeCursor, formatShanghaiTime, type Cursor } from "./user-query";

export { decodeCursor, encodeCursor, type Cursor };

/**
 * The states the filter offers. The stored ones (unpaid, paid, refunded, closed), and `partial`: paid with
 * some of it refunded (state paid, refundedAmount > 0), which the console and the user call 部分退款.
 */
export const ORDER_STATES = ["unpaid", "paid", "partial", "refunded", "closed"] as const;
export type OrderStateFilter = (typeof ORDER_STATES)[number];

export const ORDER_STATE_LABEL: Record<OrderStateFilter, string> = {
  unpaid: "待支付",
  paid: "已支付",
  partial: "部分退款",
  refunded: "已退款",
  closed: "已关闭",
};

/** What an order is for the console: its stored state, with 部分退款 told apart from 已支付. */
export function displayState(order: { state: string; refundedAmount: number }): OrderStateFilter | string {
  if (order.state === "paid" && order.refundedAmount > 0) return "partial";
  return order.state;
}

export const ORDER_DEFAULT_LIMIT = 50;
export const ORDER_MAX_LIMIT = 200;
/** 10 million yuan: far above any order (MAX_AMOUNT_FEN is 10 million yuan too). */
const MAX_FEN = 1_000_000_000;

export interface OrderQuery {
  readonly state?: OrderStateFilter;
  /** Calendar days in Asia/Shanghai, YYYY-MM-DD, both ends inclusive, of the order's creation. */
  readonly from?: string;
  readonly to?: string;
  /** Amount range in fen, both ends inclusive. */
  readonly minAmount?: number;
  readonly maxAmount?: number;
  /** The person: a userId, an openid or unionid (exact), or a nickname (substring). */
  readonly q?: string;
  /** out_trade_no or transaction_id, exact. */
  readonly no?: string;
  readonly after?: Cursor;
  readonly before?: Cursor;
  readonly limit: number;
}

// ----------------------------------------------------------------------------------------------- money

/**
 * "12.3" / "¥12.30" / "0.01" → fen (1230, 1230, 1). At most two decimals, no sign, no exponent: what
 * staff type in a ¥ box. Undefined when it is not an amount of yuan.
 */
export function yuanToFen(text: string): number | undefined {
  const t = text.trim().replace(/^[¥￥]\s*/, "");
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(t);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

/** 1230 → "12.30": integer arithmetic, never a float's rounding. */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(fen));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** 1230 → "¥12.30" */
export const formatYuan = (fen: number): string => `¥${fenToYuan(fen)}`;

// ---------------------------------------------------------------------------------------------- schema

const day = (label: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label}应为 YYYY-MM-DD 格式的日期`)
    .refine((v) => {
      const d = new Date(`${v}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
    }, `${label}不是有效的日期`);

const fen = (label: string) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `${label}应为整数（单位：分）`)
    .transform(Number)
    .pipe(z.number().max(MAX_FEN, `${label}过大`));

const cursor = z.string().transform((text, ctx) => {
  const decoded = decodeCursor(text);
  if (!decoded) {
    ctx.addIssue({ code: "custom", message: "分页位置无效，请回到第一页" });
    return z.NEVER;
  }
  return decoded;
});

const schema = z
  .object({
    state: z.enum(ORDER_STATES, "订单状态只能是 unpaid、paid、partial、refunded 或 closed").optional(),
    from: day("开始日期").optional(),
    to: day("结束日期").optional(),
    minAmount: fen("最低金额").optional(),
    maxAmount: fen("最高金额").optional(),
    q: z
      .string()
      .transform((v) => v.trim())
      .pipe(z.string().max(100, "用户搜索最多 100 个字符"))
      .optional(),
    // WeChat Pay's out_trade_no is 6–32 of [0-9A-Za-z_-|*]; its transaction_id 32 digits.
    no: z
      .string()
      .transform((v) => v.trim())
      .pipe(z.string().regex(/^[0-9A-Za-z_\-|*]{1,64}$/, "订单号只能是字母、数字或 _-|*，最多 64 位"))
      .optional(),
    after: cursor.optional(),
    before: cursor.optional(),
    limit: z.coerce
      .number("每页条数应为数字")
      .int("每页条数应为整数")
      .min(1, "每页至少 1 条")
      .max(ORDER_MAX_LIMIT, `每页最多 ${ORDER_MAX_LIMIT} 条`)
      .default(ORDER_DEFAULT_LIMIT),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.after && v.before)
      ctx.addIssue({ code: "custom", path: ["before"], message: "after 与 before 不能同时使用" });
    if (v.from && v.to && v.from > v.to)
      ctx.addIssue({ code: "custom", path: ["to"], message: "开始日期不能晚于结束日期" });
    if (v.minAmount !== undefined && v.maxAmount !== undefined && v.minAmount > v.maxAmount)
      ctx.addIssue({ code: "custom", path: ["maxAmount"], message: "最低金额不能高于最高金额" });
  });

export type OrderQueryResult = { ok: true; query: OrderQuery } | { ok: false; issues: string[] };

type ParamSource = URLSearchParams | Record<string, string | string[] | undefined>;

/**
 * Parses the list's query. Empty values count as absent (an untouched form sends `state=`), a parameter
 * given twice is an error, an unknown one too (a typo must not silently show every order). Issues are
 * Chinese, for the page and the API's 400.
 */
export function parseOrderQuery(source: ParamSource): OrderQueryResult {
  const raw: Record<string, string> = {};
  const issues: string[] = [];
  const entries: [string, string][] =
    source instanceof URLSearchParams
      ? [...source.entries()]
      : Object.entries(source).flatMap(([k, v]) =>
          v === undefined ? [] : Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]],
        );
  for (const [key, value] of entries) {
    if (value.trim() === "") continue;
    if (key in raw) issues.push(`参数 ${key} 重复`);
    raw[key] = value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === "unrecognized_keys") issues.push(`未知参数：${issue.keys.join(", ")}`);
      else issues.push(issue.message);
    }
  }
  if (issues.length > 0 || !result.success) return { ok: false, issues };
  return { ok: true, query: result.data as OrderQuery };
}

const FILTER_KEYS = ["state", "from", "to", "minAmount", "maxAmount", "q", "no"] as const;

/** The filters of a query, without its page position. */
export type OrderFilter = Omit<OrderQuery, "after" | "before" | "limit">;

/** The shortest search params for a query: defaults left out, keys in a fixed order. */
export function orderQueryToSearchParams(
  query: Partial<OrderQuery>,
  options: { cursors?: boolean } = {},
): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = query[key];
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  if (options.cursors !== false) {
    if (query.after) params.set("after", encodeCursor(query.after));
    if (query.before) params.set("before", encodeCursor(query.before));
  }
  if (query.limit !== undefined && query.limit !== ORDER_DEFAULT_LIMIT) params.set("limit", String(query.limit));
  return params;
}

/** `path` plus the query string, or `path` alone when the query is all defaults. */
export function orderQueryHref(path: string, query: Partial<OrderQuery>, options: { cursors?: boolean } = {}): string {
  const search = orderQueryToSearchParams(query, options).toString();
  return search ? `${path}?${search}` : path;
}

/** True when any filter narrows the list. */
export function isOrderFiltered(query: OrderFilter): boolean {
  return FILTER_KEYS.some((key) => query[key] !== undefined);
}

/** "2026-11-21 16:10:42" in Asia/Shanghai. */
export const beijingTime = (date: Date): string => formatShanghaiTime(date);
