import "server-only";
// The admin console's user list: search, filters and keyset pagination over a million users, on SQLite
// and PostgreSQL, in one raw SQL statement per page (Prisma's query builder cannot say "nickname OR
// remark contains, escaped, ILIKE on PostgreSQL", and compiling its plan costs more than the query).
//
// Why keyset and no page numbers: OFFSET makes page 1000 read 50,000 rows first, and an exact COUNT(*)
// over a million rows on every view costs more than the page itself. A page is instead "the next n rows
// after (sort value, id)", which both databases answer from the (createdAt, id) / (lastLoginAt, id)
// indexes in O(log n + n) however deep it is. The unfiltered list shows an estimated total that costs
// nothing (PostgreSQL's planner statistics; SQLite's largest rowid); filtered views show none.
//
// Search: a WeChat id (openid/unionid shape) is matched exactly through Identity(openid) and
// User.unionid; anything else is a substring of the nickname or the remark. PostgreSQL uses ILIKE,
// which the pg_trgm GIN indexes serve for 3+ characters; shorter patterns (一两个汉字, common in Chinese)
// have no trigram, so the plan walks the sort index and stops after n matches, which is fast for common
// characters. SQLite uses LIKE … ESCAPE, case-insensitive for ASCII letters only (its built-in LIKE does
// not fold other scripts; Chinese has no case, so this only matters for e.g. Cyrillic or accented Latin).
// Both compare code points of UTF-8 text, so emoji, ZWJ sequences and CJK outside the BMP match as
// typed. `%`, `_` and `\` in the query are escaped. A query without cased letters uses LIKE on both.
import { readRows, yieldToEventLoop, type Db, type Dialect } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
import { AppError } from "@/lib/errors";
import { csvStream } from "./csv";
import { avatarUrl } from "@/lib/avatar";
import {
  formatShanghaiTime,
  isFiltered,
  parseUserQuery,
  searchKind,
  shanghaiDayEnd,
  shanghaiDayStart,
  type Cursor,
  type SortDir,
  type SortKey,
  type UserQuery,
} from "./user-query";

export interface UserListDeps {
  readonly db: Db;
  readonly dialect: Dialect;
  /** Our Official Account's appid: its openid is the one shown when a person has several. */
  readonly appId: string;
}

export interface UserListRow {
  readonly id: string;
  readonly nickname: string | null;
  readonly headimgurl: string | null;
  readonly openid: string | null;
  readonly unionid: string | null;
  readonly scope: string;
  readonly subscribed: boolean | null;
  readonly remark: string | null;
  /** on the account's blacklist */
  readonly blacklisted: boolean;
  readonly snapshotAttempts: number;
  readonly province: string | null;
  readonly city: string | null;
  readonly createdAt: Date;
  /** The sort key "last login"; for a person who never logged in (a follower seen by a sync or a
   * subscribe push) it is when we first saw them: show it only when `loggedIn`. */
  readonly lastLoginAt: Date;
  /** Whether this person ever logged in to our pages (has a login event). */
  readonly loggedIn: boolean;
}

export interface UserListPage {
  readonly rows: readonly UserListRow[];
  /** Cursor of the page after this one (pass as `after`), when there is one. */
  readonly next?: Cursor;
  /** Cursor of the page before this one (pass as `before`), when there is one. */
  readonly prev?: Cursor;
  /** Only for the unfiltered list: a cheap estimate, never an exact COUNT(*). */
  readonly estimatedTotal: number | null;
}

/** The list's query from a request's URL, or a 400 that lists the reasons (in Chinese). */
export function requireUserQuery(request: Request): UserQuery {
  const parsed = parseUserQuery(new URL(request.url).searchParams);
  if (!parsed.ok) throw new AppError("bad_request", { extra: { issues: parsed.issues } });
  return parsed.query;
}

/** The filters and order of a query, without its page position. */
export type UserFilter = Omit<UserQuery, "after" | "before" | "limit">;

type RawRow = Omit<
  UserListRow,
  "subscribed" | "blacklisted" | "snapshotAttempts" | "createdAt" | "lastLoginAt" | "loggedIn"
> & {
  subscribed: boolean | number | bigint | null;
  blacklisted: boolean | number | bigint;
  loggedIn: boolean | number | bigint;
  snapshotAttempts: number | bigint;
  createdAt: Date | string;
  lastLoginAt: Date | string;
};

const SORT_COLUMN: Record<SortKey, Prisma.Sql> = {
  created: Prisma.raw(`u."createdAt"`),
  login: Prisma.raw(`u."lastLoginAt"`),
};

/** `\`, `%` and `_` become literal characters of a LIKE pattern (with ESCAPE '\'). */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, "\\$&")}%`;
}

/**
 * What a search is for: a WeChat id by its shape, or a short ASCII word that is exactly someone's openid
 * or unionid (the simulator's and the README's "o_demo"; two index probes), else text.
 */
async function resolveSearch(deps: UserListDeps, q: string): Promise<"wechat_id" | "text"> {
  const kind = searchKind(q);
  if (kind === "wechat_id" || !/^[A-Za-z0-9_-]{2,64}$/.test(q)) return kind;
  const hits = await readRows(
    deps.db,
    Prisma.sql`SELECT 1 AS "hit" FROM "Identity" WHERE "openid" = ${q} UNION ALL SELECT 1 FROM "User" WHERE "unionid" = ${q} LIMIT 1`,
  );
  return hits.length > 0 ? "wechat_id" : "text";
}

function whereClauses(deps: UserListDeps, filter: UserFilter, search: "wechat_id" | "text"): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (filter.q) {
    if (search === "wechat_id") {
      // A UNION of two index lookups: the planner starts from the handful of ids, never the whole table.
      where.push(Prisma.sql`u."id" IN (
        SELECT i."userId" FROM "Identity" i WHERE i."openid" = ${filter.q}
        UNION SELECT x."id" FROM "User" x WHERE x."unionid" = ${filter.q})`);
    } else {
      // ILIKE folds case per character and costs twice LIKE's byte comparison on a scan; a query with
      // no cased letter (Chinese, emoji, digits) means the same with either, so it gets LIKE, which
      // the trigram indexes serve as well.
      const caseless = filter.q.toLowerCase() === filter.q.toUpperCase();
      const like = caseless ? Prisma.raw("LIKE") : deps.dialect.caseInsensitiveLike;
      const pattern = likeContains(filter.q);
      where.push(
        Prisma.sql`(u."nickname" ${like} ${pattern} ESCAPE '\\' OR u."remark" ${like} ${pattern} ESCAPE '\\')`,
      );
    }
  }
  if (filter.scope) where.push(Prisma.sql`u."scope" = ${filter.scope}`);
  if (filter.unionid === "yes") where.push(Prisma.sql`u."unionid" IS NOT NULL`);
  if (filter.unionid === "no") where.push(Prisma.sql`u."unionid" IS NULL`);
  if (filter.subscribed === "yes") where.push(Prisma.sql`u."subscribed" = ${true}`);
  if (filter.subscribed === "no") where.push(Prisma.sql`u."subscribed" = ${false}`);
  if (filter.subscribed === "unknown") where.push(Prisma.sql`u."subscribed" IS NULL`);
  if (filter.snapshot === "yes") where.push(Prisma.sql`u."snapshotAttempts" > 0`);
  // Served by UserTag's primary key (tagId, userId): one index probe per candidate row.
  if (filter.tag !== undefined)
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM "UserTag" t WHERE t."tagId" = ${filter.tag} AND t."userId" = u."id")`);
  if (filter.qrScene) where.push(Prisma.sql`u."qrScene" = ${filter.qrScene}`);
  if (filter.createdFrom) where.push(Prisma.sql`u."createdAt" >= ${shanghaiDayStart(filter.createdFrom)}`);
  if (filter.createdTo) where.push(Prisma.sql`u."createdAt" < ${shanghaiDayEnd(filter.createdTo)}`);
  if (filter.loginFrom) where.push(Prisma.sql`u."lastLoginAt" >= ${shanghaiDayStart(filter.loginFrom)}`);
  if (filter.loginTo) where.push(Prisma.sql`u."lastLoginAt" < ${shanghaiDayEnd(filter.loginTo)}`);
  return where;
}

/**
 * The filter as conditions on `"User" u` (a mass send's recipients are "the people this list shows");
 * the same SQL the list runs.
 */
export async function userFilterConditions(deps: UserListDeps, filter: UserFilter): Promise<Prisma.Sql[]> {
  return whereClauses(deps, filter, filter.q ? await resolveSearch(deps, filter.q) : "text");
}

/**
 * Rows strictly beyond `cursor` in the direction `order`. Written as `col <= v AND (col < v OR id < c)`
 * rather than a row-value comparison: the first conjunct is a plain range that both databases turn into
 * an index seek, the second breaks ties on equal sort values.
 */
function beyond(sort: SortKey, order: SortDir, cursor: Cursor): Prisma.Sql {
  const col = SORT_COLUMN[sort];
  const strict = Prisma.raw(order === "desc" ? "<" : ">");
  const loose = Prisma.raw(order === "desc" ? "<=" : ">=");
  return Prisma.sql`(${col} ${loose} ${cursor.value} AND (${col} ${strict} ${cursor.value} OR u."id" ${strict} ${cursor.id}))`;
}

/**
 * One slice of the list: up to `limit` rows after `cursor` (or from the start) in `order`, plus whether
 * more follow. The page's rows are chosen first (index order, LIMIT); the openid lookup and the columns
 * are added to those rows only, never to every candidate.
 */
async function slice(
  deps: UserListDeps,
  filter: UserFilter,
  order: SortDir,
  cursor: Cursor | undefined,
  limit: number,
): Promise<{ rows: UserListRow[]; more: boolean }> {
  const where = whereClauses(deps, filter, filter.q ? await resolveSearch(deps, filter.q) : "text");
  if (cursor) where.push(beyond(filter.sort, order, cursor));
  const col = SORT_COLUMN[filter.sort];
  const dir = Prisma.raw(order === "desc" ? "DESC" : "ASC");
  const conditions = where.length > 0 ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty;
  // Ids first, then the columns: the first step reads only what the WHERE and ORDER BY need, so an
  // index covering them answers it without touching the table (a full search scan reads ~40 MB of index
  // instead of the ~500 MB table at a million users).
  // The LIMIT is a literal (an integer we computed): SQLite plans a bound LIMIT inside a CTE as a scan of
  // the whole index (150 ms at a million rows instead of 1 ms).
  if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`bad limit ${limit}`);
  const raw = await readRows<RawRow>(
    deps.db,
    Prisma.sql`
    WITH p AS (
      SELECT u."id" FROM "User" u
      ${conditions}
      ORDER BY ${col} ${dir}, u."id" ${dir}
      LIMIT ${Prisma.raw(String(limit + 1))}
    )
    SELECT u."id", u."nickname", u."headimgurl", u."unionid", u."scope", u."subscribed", u."remark",
           u."blacklisted", u."snapshotAttempts", u."province", u."city", u."createdAt", u."lastLoginAt",
           EXISTS (SELECT 1 FROM "LoginEvent" l WHERE l."userId" = u."id") AS "loggedIn",
           (SELECT i."openid" FROM "Identity" i WHERE i."userId" = u."id"
            ORDER BY CASE WHEN i."appid" = ${deps.appId} THEN 0 ELSE 1 END, i."createdAt" LIMIT 1) AS "openid"
    FROM p JOIN "User" u ON u."id" = p."id"
    ORDER BY ${col} ${dir}, u."id" ${dir}`,
  );
  const rows = raw.slice(0, limit).map(normalise);
  return { rows, more: raw.length > limit };
}

// SQLite hands booleans back as 0/1 and may hand DATETIME back as text; PostgreSQL counts as bigint.
function normalise(row: RawRow): UserListRow {
  return {
    id: row.id,
    nickname: row.nickname,
    headimgurl: avatarUrl(row.headimgurl),
    openid: row.openid ?? null,
    unionid: row.unionid,
    scope: row.scope,
    subscribed: row.subscribed === null ? null : Boolean(Number(row.subscribed)),
    remark: row.remark,
    blacklisted: Boolean(Number(row.blacklisted)),
    snapshotAttempts: Number(row.snapshotAttempts),
    province: row.province,
    city: row.city,
    createdAt: new Date(row.createdAt),
    lastLoginAt: new Date(row.lastLoginAt),
    loggedIn: Boolean(Number(row.loggedIn)),
  };
}

export function cursorOf(row: UserListRow, sort: SortKey): Cursor {
  return { value: sort === "created" ? row.createdAt : row.lastLoginAt, id: row.id };
}

const flip = (dir: SortDir): SortDir => (dir === "desc" ? "asc" : "desc");

/** One page of the list as the query says: first page, `after` a cursor, or `before` one. */
export async function listUsers(deps: UserListDeps, query: UserQuery): Promise<UserListPage> {
  const [page, estimatedTotal] = await Promise.all([
    listPage(deps, query),
    isFiltered(query) ? null : estimateUserCount(deps),
  ]);
  return { ...page, estimatedTotal };
}

async function listPage(deps: UserListDeps, query: UserQuery): Promise<Omit<UserListPage, "estimatedTotal">> {
  const { after, before, limit, ...filter } = query;
  if (before) {
    // Backwards: walk the other way from the cursor, then put the rows back in display order.
    const back = await slice(deps, filter, flip(query.dir), before, limit);
    if (!back.more && back.rows.length < limit) {
      // Fewer than a page before the cursor: that is the first page; show it whole.
      return listPage(deps, { ...filter, limit });
    }
    const rows = back.rows.reverse();
    return {
      rows,
      prev: back.more && rows[0] ? cursorOf(rows[0], query.sort) : undefined,
      next: rows.length > 0 ? cursorOf(rows[rows.length - 1]!, query.sort) : before,
    };
  }
  const page = await slice(deps, filter, query.dir, after, limit);
  const last = page.rows[page.rows.length - 1];
  const first = page.rows[0];
  return {
    rows: page.rows,
    next: page.more && last ? cursorOf(last, query.sort) : undefined,
    // After a cursor there is always something before (the row the cursor names, unless it was deleted).
    prev: after ? (first ? cursorOf(first, query.sort) : after) : undefined,
  };
}

/** Every row the filter matches, `pageSize` at a time by keyset, for streaming (never all in memory). */
export async function* eachUser(
  deps: UserListDeps,
  filter: UserFilter,
  pageSize = 1000,
): AsyncGenerator<readonly UserListRow[], void, undefined> {
  let cursor: Cursor | undefined;
  for (;;) {
    // Each page on the synchronous driver answers at once: without a turn of the event loop between
    // pages, a long export would hold every other request (and WeChat's pushes) until it ends.
    if (cursor) await yieldToEventLoop();
    const page = await slice(deps, filter, filter.dir, cursor, pageSize);
    if (page.rows.length > 0) yield page.rows;
    const last = page.rows[page.rows.length - 1];
    if (!page.more || !last) return;
    cursor = cursorOf(last, filter.sort);
  }
}

/** How long an estimated total is reused: it is shown as "约 N 位用户", and N moves slowly. */
export const ESTIMATE_TTL_MS = 60_000;

const estimates = new WeakMap<Db, { at: number; value: Promise<number | null> }>();

/**
 * About how many users there are, for free: PostgreSQL's row estimate (kept by autovacuum/ANALYZE);
 * on SQLite the largest rowid (a b-tree's last key, O(log n); high by the number of deleted rows).
 * Remembered per database for ESTIMATE_TTL_MS (one statement a minute instead of one per page view;
 * concurrent callers share the one in flight).
 */
export function estimateUserCount(deps: UserListDeps, now: number = Date.now()): Promise<number | null> {
  const cached = estimates.get(deps.db);
  if (cached && now - cached.at < ESTIMATE_TTL_MS) return cached.value;
  const value = readEstimate(deps);
  estimates.set(deps.db, { at: now, value });
  // A failure is not remembered: the next page view asks again.
  value.catch(() => {
    if (estimates.get(deps.db)?.value === value) estimates.delete(deps.db);
  });
  return value;
}

async function readEstimate({ db, dialect }: UserListDeps): Promise<number | null> {
  const rows = await readRows<{ n: unknown }>(db, dialect.rowEstimate(`"User"`));
  return dialect.estimateOf(rows[0]?.n);
}

export const CSV_HEADER = [
  "id",
  "昵称",
  "openid",
  "unionid",
  "授权范围",
  "已关注",
  "备注",
  "注册时间",
  "最近登录",
  "省份",
  "城市",
] as const;

const SUBSCRIBED_TEXT = (v: boolean | null) => (v === null ? "未知" : v ? "是" : "否");

/** The filter's users as a CSV byte stream, pulled from the database 1000 rows at a time. */
export function exportUsersCsv(deps: UserListDeps, filter: UserFilter, pageSize = 1000): ReadableStream<Uint8Array> {
  return csvStream(CSV_HEADER, eachUser(deps, filter, pageSize), (u) => [
    u.id,
    u.nickname,
    u.openid,
    u.unionid,
    u.scope,
    SUBSCRIBED_TEXT(u.subscribed),
    u.remark,
    formatShanghaiTime(u.createdAt),
    u.loggedIn ? formatShanghaiTime(u.lastLoginAt) : "",
    u.province,
    u.city,
  ]);
}
