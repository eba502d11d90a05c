import "server-only";
// The console's WeChat Pay orders: the list (filters, keyset pages), the CSV export (every matching order,
// streamed by keyset), one order with its merged timeline, and marking an incident resolved.
//
// Like the user list (./users.ts) and for the same reasons: one raw statement per page, keyset on
// (createdAt, id) newest first, no OFFSET and no COUNT(*). Which index answers which filter:
// - none, a date range or an amount range: PayOrder(createdAt), walked from the newest and stopped after
//   a page of matches;
// - a state: PayOrder(state, createdAt);
// - a person: their userId (exact, or found from an openid / unionid through Identity(openid) and
//   User(unionid)) → PayOrder(userId, createdAt); a nickname is a substring checked on the User row of
//   each order walked (a primary-key probe per order), as the user list's search does;
// - an order number: out_trade_no and transaction_id are unique, two index probes.
import { readRows, yieldToEventLoop, type Db, type Dialect } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
import { AppError } from "@/lib/errors";
import { csvStream } from "./csv";
import {
  displayState,
  fenToYuan,
  ORDER_STATE_LABEL,
  parseOrderQuery,
  type Cursor,
  type OrderFilter,
  type OrderQuery,
  type OrderStateFilter,
} from "./order-query";
import { formatShanghaiTime, shanghaiDayEnd, shanghaiDayStart } from "./user-query";
import { likeContains } from "./users";

export interface OrderListDeps {
  readonly db: Db;
  readonly dialect: Dialect;
}

export interface OrderListRow {
  readonly id: string;
  readonly outTradeNo: string;
  readonly transactionId: string | null;
  readonly userId: string;
  readonly openid: string;
  readonly nickname: string | null;
  readonly description: string;
  /** fen */
  readonly amount: number;
  readonly state: string;
  readonly refundedAmount: number;
  readonly createdAt: Date;
  readonly paidAt: Date | null;
}

export interface OrderListPage {
  readonly rows: readonly OrderListRow[];
  readonly next?: Cursor;
  readonly prev?: Cursor;
}

/** The list's query from a request's URL, or a 400 that lists the reasons (in Chinese). */
export function requireOrderQuery(request: Request): OrderQuery {
  const parsed = parseOrderQuery(new URL(request.url).searchParams);
  if (!parsed.ok) throw new AppError("bad_request", { extra: { issues: parsed.issues } });
  return parsed.query;
}

type RawRow = Omit<OrderListRow, "amount" | "refundedAmount" | "createdAt" | "paidAt"> & {
  amount: number | bigint | string;
  refundedAmount: number | bigint | string;
  createdAt: Date | string;
  paidAt: Date | string | null;
};

const STATE_WHERE: Record<OrderStateFilter, Prisma.Sql> = {
  unpaid: Prisma.sql`o."state" = 'unpaid'`,
  paid: Prisma.sql`o."state" = 'paid' AND o."refundedAmount" = 0`,
  partial: Prisma.sql`o."state" = 'paid' AND o."refundedAmount" > 0`,
  refunded: Prisma.sql`o."state" = 'refunded'`,
  closed: Prisma.sql`o."state" = 'closed'`,
};

/** Whether `q` names people exactly (a user id, an openid or a unionid): a few index probes. */
async function isPersonId(db: Db, q: string): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{2,64}$/.test(q)) return false;
  const hits = await readRows(
    db,
    Prisma.sql`SELECT 1 AS "hit" FROM "User" WHERE "id" = ${q}
      UNION ALL SELECT 1 FROM "Identity" WHERE "openid" = ${q}
      UNION ALL SELECT 1 FROM "User" WHERE "unionid" = ${q} LIMIT 1`,
  );
  return hits.length > 0;
}

async function whereClauses(deps: OrderListDeps, filter: OrderFilter): Promise<Prisma.Sql[]> {
  const where: Prisma.Sql[] = [];
  if (filter.state) where.push(STATE_WHERE[filter.state]);
  if (filter.from) where.push(Prisma.sql`o."createdAt" >= ${shanghaiDayStart(filter.from)}`);
  if (filter.to) where.push(Prisma.sql`o."createdAt" < ${shanghaiDayEnd(filter.to)}`);
  if (filter.minAmount !== undefined) where.push(Prisma.sql`o."amount" >= ${filter.minAmount}`);
  if (filter.maxAmount !== undefined) where.push(Prisma.sql`o."amount" <= ${filter.maxAmount}`);
  if (filter.no) where.push(Prisma.sql`(o."outTradeNo" = ${filter.no} OR o."transactionId" = ${filter.no})`);
  if (filter.q) {
    if (await isPersonId(deps.db, filter.q)) {
      where.push(Prisma.sql`o."userId" IN (
        SELECT x."id" FROM "User" x WHERE x."id" = ${filter.q}
        UNION SELECT i."userId" FROM "Identity" i WHERE i."openid" = ${filter.q}
        UNION SELECT y."id" FROM "User" y WHERE y."unionid" = ${filter.q})`);
    } else {
      const caseless = filter.q.toLowerCase() === filter.q.toUpperCase();
      const like = caseless ? Prisma.raw("LIKE") : deps.dialect.caseInsensitiveLike;
      where.push(
        Prisma.sql`EXISTS (SELECT 1 FROM "User" u WHERE u."id" = o."userId" AND u."nickname" ${like} ${likeContains(filter.q)} ESCAPE '\\')`,
      );
    }
  }
  return where;
}

function beyond(order: "desc" | "asc", cursor: Cursor): Prisma.Sql {
  const strict = Prisma.raw(order === "desc" ? "<" : ">");
  const loose = Prisma.raw(order === "desc" ? "<=" : ">=");
  return Prisma.sql`(o."createdAt" ${loose} ${cursor.value} AND (o."createdAt" ${strict} ${cursor.value} OR o."id" ${strict} ${cursor.id}))`;
}

async function slice(
  deps: OrderListDeps,
  filter: OrderFilter,
  order: "desc" | "asc",
  cursor: Cursor | undefined,
  limit: number,
): Promise<{ rows: OrderListRow[]; more: boolean }> {
  const where = await whereClauses(deps, filter);
  if (cursor) where.push(beyond(order, cursor));
  const dir = Prisma.raw(order === "desc" ? "DESC" : "ASC");
  const conditions = where.length > 0 ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty;
  // A literal LIMIT, as in the user list: SQLite plans a bound LIMIT inside a CTE as a full index scan.
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`bad limit ${limit}`);
  const raw = await readRows<RawRow>(
    deps.db,
    Prisma.sql`
    WITH p AS (
      SELECT o."id" FROM "PayOrder" o
      ${conditions}
      ORDER BY o."createdAt" ${dir}, o."id" ${dir}
      LIMIT ${Prisma.raw(String(limit + 1))}
    )
    SELECT o."id", o."outTradeNo", o."transactionId", o."userId", o."openid", o."description", o."amount",
           o."state", o."refundedAmount", o."createdAt", o."paidAt",
           (SELECT u."nickname" FROM "User" u WHERE u."id" = o."userId") AS "nickname"
    FROM p JOIN "PayOrder" o ON o."id" = p."id"
    ORDER BY o."createdAt" ${dir}, o."id" ${dir}`,
  );
  return { rows: raw.slice(0, limit).map(normalise), more: raw.length > limit };
}

function normalise(row: RawRow): OrderListRow {
  return {
    id: row.id,
    outTradeNo: row.outTradeNo,
    transactionId: row.transactionId,
    userId: row.userId,
    openid: row.openid,
    nickname: row.nickname ?? null,
    description: row.description,
    amount: Number(row.amount),
    state: row.state,
    refundedAmount: Number(row.refundedAmount),
    createdAt: new Date(row.createdAt),
    paidAt: row.paidAt === null ? null : new Date(row.paidAt),
  };
}

const cursorOf = (row: OrderListRow): Cursor => ({ value: row.createdAt, id: row.id });

/** One page of the list as the query says: first page, `after` a cursor, or `before` one. Newest first. */
export async function listOrders(deps: OrderListDeps, query: OrderQuery): Promise<OrderListPage> {
  const { after, before, limit, ...filter } = query;
  if (before) {
    const back = await slice(deps, filter, "asc", before, limit);
    if (!back.more && back.rows.length < limit) return listOrders(deps, { ...filter, limit });
    const rows = back.rows.reverse();
    return {
      rows,
      prev: back.more && rows[0] ? cursorOf(rows[0]) : undefined,
      next: rows.length > 0 ? cursorOf(rows[rows.length - 1]!) : before,
    };
  }
  const page = await slice(deps, filter, "desc", after, limit);
  const last = page.rows[page.rows.length - 1];
  const first = page.rows[0];
  return {
    rows: page.rows,
    next: page.more && last ? cursorOf(last) : undefined,
    prev: after ? (first ? cursorOf(first) : after) : undefined,
  };
}

/** Every order the filter matches, newest first, `pageSize` at a time by keyset (never all in memory). */
export async function* eachOrder(
  deps: OrderListDeps,
  filter: OrderFilter,
  pageSize = 1000,
): AsyncGenerator<readonly OrderListRow[], void, undefined> {
  let cursor: Cursor | undefined;
  for (;;) {
    // A turn of the event loop between pages: on the synchronous SQLite driver a long export would
    // otherwise hold every other request (and WeChat Pay's notifications) until it ends.
    if (cursor) await yieldToEventLoop();
    const page = await slice(deps, filter, "desc", cursor, pageSize);
    if (page.rows.length > 0) yield page.rows;
    const last = page.rows[page.rows.length - 1];
    if (!page.more || !last) return;
    cursor = cursorOf(last);
  }
}

export const ORDER_CSV_HEADER = [
  "订单ID",
  "商户订单号",
  "微信支付订单号",
  "状态",
  "金额（元）",
  "已退款（元）",
  "商品描述",
  "用户ID",
  "openid",
  "昵称",
  "下单时间（北京时间）",
  "支付时间（北京时间）",
] as const;

/** An order's cells in the CSV: amounts in yuan with two decimals, times in Beijing time. */
export function orderCsvCells(o: OrderListRow): (string | number | null)[] {
  const state = displayState(o);
  return [
    o.id,
    o.outTradeNo,
    o.transactionId,
    ORDER_STATE_LABEL[state as OrderStateFilter] ?? state,
    fenToYuan(o.amount),
    fenToYuan(o.refundedAmount),
    o.description,
    o.userId,
    o.openid,
    o.nickname,
    formatShanghaiTime(o.createdAt),
    o.paidAt ? formatShanghaiTime(o.paidAt) : "",
  ];
}

/** The filter's orders as a CSV byte stream (UTF-8 with a BOM for Excel), 1000 rows at a time. */
export function exportOrdersCsv(deps: OrderListDeps, filter: OrderFilter, pageSize = 1000): ReadableStream<Uint8Array> {
  return csvStream(ORDER_CSV_HEADER, eachOrder(deps, filter, pageSize), orderCsvCells);
}
