import "server-only";
// The admin dashboard's numbers. Every figure is aggregated by the database (COUNT / GROUP BY, range
// predicates on the indexed createdAt columns); JavaScript only names the groups, fills the days that
// had nothing with 0 and subtracts the top provinces from their total.
//
// The distributions need the whole User table: one pass, grouped by (province, scope, sex, subscribed).
// With the index on exactly those columns that pass is an index-only scan in index order (about 110 ms
// on SQLite at a million users; without it, a table scan and a sort: about 2 s, blocking the event loop,
// since the SQLite driver is synchronous). Even so it is too slow for every request, so the result is
// cached in-process for a minute with single-flight and stale-while-revalidate: concurrent requests
// share one computation, and after the first no request waits for one (the page says when its numbers
// were computed).
import { readRows, type Db, type Dialect } from "@/lib/db";
import { Prisma } from "@/lib/generated/sqlite/client";
import { log } from "@/lib/log";
import { services } from "@/lib/services";

/** Asia/Shanghai is UTC+8 all year (no DST): a day there starts at 16:00 UTC the day before. */
export const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** Days in the per-day series, today (Asia/Shanghai) included. */
export const SERIES_DAYS = 30;
/** Provinces shown by name; the rest are summed as 其他. */
export const TOP_PROVINCES = 10;

/** "YYYY-MM-DD" of the Asia/Shanghai day that `date` falls in. */
export function shanghaiDay(date: Date): string {
  return new Date(date.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** "HH:mm:ss" in Asia/Shanghai. */
export function shanghaiClock(date: Date): string {
  return new Date(date.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(11, 19);
}

// Where the two databases' SQL differs (lib/db/dialect.ts): the Shanghai day of a DateTime as
// 'YYYY-MM-DD' text, and ties between provinces broken by code point on both.
const SHANGHAI_OFFSET_HOURS = SHANGHAI_OFFSET_MS / 3600_000;

export interface DailyPoint {
  /** Asia/Shanghai day, "YYYY-MM-DD" */
  readonly day: string;
  readonly newUsers: number;
  readonly logins: number;
}

export interface NamedCount {
  readonly key: string;
  readonly label: string;
  readonly count: number;
}

export interface DashboardStats {
  readonly computedAt: Date;
  readonly totals: {
    readonly users: number;
    /** granted snsapi_userinfo at least once */
    readonly userinfo: number;
    readonly unionid: number;
    readonly subscribed: number;
    /** snapshot-page visits in the last 30 days (today included) */
    readonly snapshotAttempts: number;
  };
  /** the last SERIES_DAYS days, oldest first, every day present */
  readonly daily: readonly DailyPoint[];
  readonly scopes: readonly NamedCount[];
  readonly sex: readonly NamedCount[];
  /** top provinces by users, then 其他 (when any); users without a province are not counted */
  readonly provinces: readonly NamedCount[];
  /** users with no province (snsapi_base only, or WeChat gave none) */
  readonly withoutProvince: number;
  /**
   * WeChat Pay today (the Asia/Shanghai day): orders paid today (paidAt today, whatever they became since,
   * refunds included) and what they came to, in fen.
   */
  readonly paidToday: { readonly count: number; readonly amount: number };
}

export interface StatsDeps {
  readonly db: Db;
  readonly dialect: Dialect;
  readonly now: () => Date;
}

const SCOPE_LABEL: Record<string, string> = { snsapi_base: "静默授权", snsapi_userinfo: "资料授权" };
const SEX_ORDER = ["1", "2", "0", "null"] as const;
const SEX_LABEL: Record<string, string> = { "1": "男", "2": "女", "0": "未知", null: "无资料" };

// COUNT is bigint on PostgreSQL and a number on SQLite.
const n = (value: unknown): number => Number(value ?? 0);

/** Computes every figure of the dashboard (uncached). */
export async function computeDashboardStats(deps: StatsDeps): Promise<DashboardStats> {
  const { db, dialect } = deps;
  const computedAt = deps.now();
  const today = shanghaiDay(computedAt);
  // [00:00 Asia/Shanghai SERIES_DAYS - 1 days ago, 00:00 tomorrow)
  const until = new Date(Date.parse(`${today}T00:00:00.000Z`) - SHANGHAI_OFFSET_MS + DAY_MS);
  const since = new Date(until.getTime() - SERIES_DAYS * DAY_MS);

  // On PostgreSQL these run side by side on the pool; on SQLite one after another (each short: the
  // event loop gets a turn between them).
  const todayStart = new Date(until.getTime() - DAY_MS);
  const [profileRows, unionidRows, snapshotRows, userDays, loginDays, paidRows] = await Promise.all([
    // One pass over User for every distribution: group by the four columns the dashboard splits by
    // (a few hundred groups; with the index on exactly these columns, an index-only scan in order),
    // then roll those groups up per dimension.
    db.$queryRaw<{ dim: string; key: string | null; n: unknown }[]>`
      WITH "g" AS (
        SELECT "province", "scope", "sex", "subscribed", COUNT(*) AS "n"
        FROM "User" GROUP BY "province", "scope", "sex", "subscribed"
      )
      SELECT 'users' AS "dim", NULL AS "key", SUM("n") AS "n", 0 AS "ord" FROM "g"
      UNION ALL SELECT 'subscribed', NULL, SUM(CASE WHEN "subscribed" = TRUE THEN "n" ELSE 0 END), 0 FROM "g"
      UNION ALL SELECT 'withProvince', NULL, SUM(CASE WHEN "province" <> '' THEN "n" ELSE 0 END), 0 FROM "g"
      UNION ALL SELECT 'scope', "scope", SUM("n"), 0 FROM "g" GROUP BY "scope"
      UNION ALL SELECT 'sex', CAST("sex" AS TEXT), SUM("n"), 0 FROM "g" GROUP BY "sex"
      UNION ALL SELECT * FROM (
        SELECT 'province' AS "dim", "province" AS "key", SUM("n") AS "n",
               ROW_NUMBER() OVER (ORDER BY SUM("n") DESC, ${dialect.byCodePoint(`"province"`)}) AS "ord"
        FROM "g" WHERE "province" <> '' GROUP BY "province" ORDER BY "ord" LIMIT ${TOP_PROVINCES}
      ) AS "top"
      ORDER BY "dim", "ord", "n" DESC`,
    // The unique index on unionid holds exactly the users that have one.
    db.$queryRaw<{ n: unknown }[]>`SELECT COUNT("unionid") AS "n" FROM "User"`,
    db.$queryRaw<{ n: unknown }[]>`
      SELECT COUNT(*) AS "n" FROM "SnapshotAttempt" WHERE "createdAt" >= ${since} AND "createdAt" < ${until}`,
    db.$queryRaw<{ day: string; n: unknown }[]>`
      SELECT ${dialect.dayAt(`"createdAt"`, SHANGHAI_OFFSET_HOURS)} AS "day", COUNT(*) AS "n"
      FROM "User" WHERE "createdAt" >= ${since} AND "createdAt" < ${until} GROUP BY 1`,
    db.$queryRaw<{ day: string; n: unknown }[]>`
      SELECT ${dialect.dayAt(`"createdAt"`, SHANGHAI_OFFSET_HOURS)} AS "day", COUNT(*) AS "n"
      FROM "LoginEvent" WHERE "createdAt" >= ${since} AND "createdAt" < ${until} GROUP BY 1`,
    // A range of the PayOrder(paidAt) index: today's paid orders only.
    db.$queryRaw<{ n: unknown; amount: unknown }[]>`
      SELECT COUNT(*) AS "n", COALESCE(SUM("amount"), 0) AS "amount"
      FROM "PayOrder" WHERE "paidAt" >= ${todayStart} AND "paidAt" < ${until}`,
  ]);

  const newUsers = new Map(userDays.map((r) => [r.day, n(r.n)]));
  const logins = new Map(loginDays.map((r) => [r.day, n(r.n)]));
  const daily: DailyPoint[] = [];
  for (let i = 0; i < SERIES_DAYS; i++) {
    const day = shanghaiDay(new Date(since.getTime() + i * DAY_MS));
    daily.push({ day, newUsers: newUsers.get(day) ?? 0, logins: logins.get(day) ?? 0 });
  }

  const rows = (dim: string) => profileRows.filter((r) => r.dim === dim);
  const single = (dim: string) => n(rows(dim)[0]?.n);
  const users = single("users");
  const withProvince = single("withProvince");
  const scopes = rows("scope").map((r) => ({
    key: r.key ?? "",
    label: SCOPE_LABEL[r.key ?? ""] ?? r.key ?? "",
    count: n(r.n),
  }));

  const sexCounts = new Map<string, number>();
  for (const r of rows("sex")) {
    // Anything WeChat might add beyond 0/1/2 counts as unknown.
    const key = r.key === null ? "null" : SEX_LABEL[r.key] ? r.key : "0";
    sexCounts.set(key, (sexCounts.get(key) ?? 0) + n(r.n));
  }

  const provinces: NamedCount[] = rows("province").map((r) => ({
    key: r.key ?? "",
    label: r.key ?? "",
    count: n(r.n),
  }));
  const rest = withProvince - provinces.reduce((sum, p) => sum + p.count, 0);
  if (rest > 0) provinces.push({ key: "其他", label: "其他", count: rest });

  return {
    computedAt,
    totals: {
      users,
      userinfo: scopes.find((s) => s.key === "snsapi_userinfo")?.count ?? 0,
      unionid: n(unionidRows[0]?.n),
      subscribed: single("subscribed"),
      snapshotAttempts: n(snapshotRows[0]?.n),
    },
    daily,
    scopes,
    sex: SEX_ORDER.filter((key) => sexCounts.has(key)).map((key) => ({
      key,
      label: SEX_LABEL[key] ?? key,
      count: sexCounts.get(key) ?? 0,
    })),
    provinces,
    withoutProvince: users - withProvince,
    paidToday: { count: n(paidRows[0]?.n), amount: n(paidRows[0]?.amount) },
  };
}

export interface CachedValue<T> {
  readonly value: T;
  /** when the computation that produced it finished (clock of the cache) */
  readonly at: number;
}

/**
 * Caches what `compute` returns for `ttlMs`. One computation at a time (concurrent callers share it);
 * once a value exists, an expired one is still returned at once while a new one is computed in the
 * background (stale-while-revalidate), so only the very first callers wait. A failed refresh keeps the
 * stale value and is tried again by the next caller.
 */
export function singleFlightCache<T>(
  compute: () => Promise<T>,
  options: { ttlMs: number; now?: () => number; onError?: (err: unknown) => void },
): {
  /** `changedAt`: when the data last changed (ms); a value computed before it is not served, but waited for anew. */
  get(changedAt?: number): Promise<CachedValue<T>>;
} {
  const now = options.now ?? Date.now;
  let current: CachedValue<T> | undefined;
  let inflight: Promise<CachedValue<T>> | undefined;

  const refresh = () => {
    inflight ??= compute()
      .then((value) => (current = { value, at: now() }))
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  return {
    async get(changedAt) {
      // Computed before the change: not worth showing (a sync just changed every total).
      if (current && changedAt !== undefined && current.at < changedAt) current = undefined;
      if (current && now() - current.at < options.ttlMs) return current;
      const pending = refresh();
      if (!current) return pending;
      pending.catch((err: unknown) => options.onError?.(err));
      return current;
    },
  };
}

/** How long the dashboard's figures are reused before they are computed again (in the background). */
export const STATS_TTL_MS = 60_000;

// On globalThis, like the database client: `next build` gives pages and route handlers their own copies
// of lib/, and they should share one cache (and one computation).
const globalForStats = globalThis as unknown as {
  wcucDashboardStats?: ReturnType<typeof singleFlightCache<DashboardStats>>;
};

/** When the last follower sync finished (ms), on any instance: every total may have moved then. */
async function lastSyncAt(db: Db): Promise<number | undefined> {
  const [row] = await readRows<{ at: Date | string | null }>(
    db,
    Prisma.sql`SELECT max("finishedAt") AS "at" FROM "SyncRun" WHERE "status" = 'done'`,
  );
  return row?.at ? new Date(row.at).getTime() : undefined;
}

/**
 * The running app's dashboard figures, at most STATS_TTL_MS old once warm, and never from before the
 * last follower sync finished (the list counts a sync's followers at once; the dashboard did a minute later).
 */
export async function dashboardStats(): Promise<CachedValue<DashboardStats>> {
  const cache = (globalForStats.wcucDashboardStats ??= singleFlightCache(() => computeDashboardStats(services.stats), {
    ttlMs: STATS_TTL_MS,
    onError: (err) => log.error("admin_stats_failed", { message: (err as Error).message }),
  }));
  return cache.get(await lastSyncAt(services.db));
}
