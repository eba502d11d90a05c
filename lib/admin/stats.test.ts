// The dashboard's figures on a small known population, identical on SQLite and PostgreSQL: days are
// Asia/Shanghai days, missing days are 0, provinces are the top 10 plus 其他. And the cache in front of
// them: one computation for concurrent callers, stale-while-revalidate, a fake clock.
import { beforeAll, describe, expect, it } from "vitest";
import { computeDashboardStats, shanghaiClock, shanghaiDay, singleFlightCache, type DashboardStats } from "./stats";
import { forEachDatabase } from "@/test/support/db";
import { dialectOf, type Db } from "@/lib/db";

// 12:00 on 2026-01-10 in Shanghai: the series runs from 2025-12-12 to 2026-01-10.
const NOW = new Date("2026-01-10T04:00:00.000Z");
const LONG_AGO = new Date("2025-06-01T00:00:00.000Z");

// Province → users, ties included: 江苏 and 浙江 tie at 2, seven provinces tie at 1.
const PROVINCES: [string, number][] = [
  ["广东", 5],
  ["北京", 4],
  ["上海", 3],
  ["浙江", 2],
  ["江苏", 2],
  ["福建", 1],
  ["湖南", 1],
  ["湖北", 1],
  ["河南", 1],
  ["山东", 1],
  ["四川", 1],
  ["云南", 1],
];

let seq = 0;
const id = (prefix: string) => `${prefix}${String(++seq).padStart(4, "0")}`;

async function seed(db: Db) {
  // 23 users who granted snsapi_userinfo, long ago: they shape the distributions, not the series.
  const profiled = PROVINCES.flatMap(([province, count]) =>
    Array.from({ length: count }, () => ({ id: id("p"), province })),
  ).map((u, i) => ({
    ...u,
    scope: "snsapi_userinfo",
    userinfoAt: LONG_AGO,
    sex: [1, 1, 2, 0][i % 4] ?? 0,
    unionid: i < 10 ? `union-${i}` : null,
    subscribed: i < 6 ? true : i < 9 ? false : null,
    createdAt: LONG_AGO,
  }));
  // Silent-login users created around Shanghai midnights, without a profile.
  const silent = [
    "2025-12-11T15:59:59.999Z", // 2025-12-11 23:59:59.999 Shanghai: the day before the window
    "2025-12-11T16:00:00.000Z", // 2025-12-12 00:00 Shanghai: the window's first day
    "2026-01-01T15:59:59.999Z", // 2026-01-01 23:59:59.999 Shanghai
    "2026-01-01T16:30:00.000Z", // 2026-01-02 00:30 Shanghai
    "2026-01-02T15:59:59.999Z", // still 2026-01-02
    "2026-01-10T03:59:00.000Z", // today
  ].map((at, i) => ({
    id: id("s"),
    createdAt: new Date(at),
    province: i === 0 ? "" : null,
    subscribed: i === 1 ? true : null,
  }));
  await db.user.createMany({ data: [...profiled, ...silent] });

  const someone = silent[1]?.id ?? "";
  const logins = [
    "2025-12-11T15:00:00.000Z", // outside
    "2026-01-01T16:00:00.000Z", // 2026-01-02 00:00
    "2026-01-01T16:00:00.001Z", // 2026-01-02
    "2026-01-02T15:59:59.999Z", // 2026-01-02
    "2026-01-09T16:00:00.000Z", // today
  ];
  await db.loginEvent.createMany({
    data: logins.map((at) => ({
      id: id("l"),
      userId: someone,
      appid: "wxapp",
      scope: "snsapi_base",
      createdAt: new Date(at),
    })),
  });
  await db.snapshotAttempt.createMany({
    data: ["2025-12-01T00:00:00.000Z", "2025-12-11T16:00:00.000Z", "2026-01-10T01:00:00.000Z"].map((at) => ({
      id: id("a"),
      bindingHash: "h",
      createdAt: new Date(at),
    })),
  });
  // WeChat Pay: paid at Beijing midnight's edges; a refund since does not make an order unpaid today.
  const paid: [string | null, number, string][] = [
    ["2026-01-09T15:59:59.999Z", 1000, "paid"], // 2026-01-09 23:59:59.999 Beijing: yesterday
    ["2026-01-09T16:00:00.000Z", 1, "refunded"], // 2026-01-10 00:00 Beijing: today, refunded since
    ["2026-01-10T03:30:00.000Z", 2599, "paid"], // today
    ["2026-01-10T16:00:00.000Z", 700, "paid"], // tomorrow (a clock ahead): not today
    [null, 5000, "unpaid"], // created today, never paid
  ];
  await db.payOrder.createMany({
    data: paid.map(([at, amount, state], i) => ({
      id: id("o"),
      appId: "wxapp",
      mchid: "1900000001",
      outTradeNo: `STATS${i}000`,
      userId: someone,
      openid: "o_someone",
      description: "x",
      amount,
      state,
      paidAt: at ? new Date(at) : null,
      caller: "internal",
      expiresAt: NOW,
      createdAt: new Date("2026-01-10T01:00:00.000Z"),
      updatedAt: NOW,
    })),
  });
}

function nonZeroDays(stats: DashboardStats) {
  return stats.daily.filter((d) => d.newUsers || d.logins).map((d) => [d.day, d.newUsers, d.logins]);
}

forEachDatabase((_kind, database) => {
  describe("computeDashboardStats", () => {
    let stats: DashboardStats;
    beforeAll(async () => {
      const { db } = database();
      await seed(db);
      stats = await computeDashboardStats({ db, dialect: dialectOf(db), now: () => NOW });
    });

    it("counts the totals", () => {
      expect(stats.computedAt).toEqual(NOW);
      expect(stats.totals).toEqual({ users: 29, userinfo: 23, unionid: 10, subscribed: 7, snapshotAttempts: 2 });
    });

    it("buckets new users and logins by Asia/Shanghai day over 30 days, every day present", () => {
      expect(stats.daily).toHaveLength(30);
      expect(stats.daily[0]?.day).toBe("2025-12-12");
      expect(stats.daily.at(-1)?.day).toBe("2026-01-10");
      expect(new Set(stats.daily.map((d) => d.day)).size).toBe(30);
      expect(nonZeroDays(stats)).toEqual([
        ["2025-12-12", 1, 0],
        ["2026-01-01", 1, 0],
        ["2026-01-02", 2, 3],
        ["2026-01-10", 1, 1],
      ]);
    });

    it("sums today's paid orders (the Beijing day of paidAt), refunded ones included", () => {
      expect(stats.paidToday).toEqual({ count: 2, amount: 2600 });
    });

    it("splits users by scope and by sex", () => {
      expect(stats.scopes).toEqual([
        { key: "snsapi_userinfo", label: "资料授权", count: 23 },
        { key: "snsapi_base", label: "静默授权", count: 6 },
      ]);
      expect(stats.sex).toEqual([
        { key: "1", label: "男", count: 12 },
        { key: "2", label: "女", count: 6 },
        { key: "0", label: "未知", count: 5 },
        { key: "null", label: "无资料", count: 6 },
      ]);
    });

    it("lists the top 10 provinces (ties by code point) and sums the rest as 其他", () => {
      expect(stats.provinces.map((p) => [p.label, p.count])).toEqual([
        ["广东", 5],
        ["北京", 4],
        ["上海", 3],
        ["江苏", 2],
        ["浙江", 2],
        ["云南", 1],
        ["四川", 1],
        ["山东", 1],
        ["河南", 1],
        ["湖北", 1],
        ["其他", 2],
      ]);
      expect(stats.withoutProvince).toBe(6);
    });

    it("counts nothing in a window with no activity (the window has an end, too)", async () => {
      const { db } = database();
      const quiet = await computeDashboardStats({
        db,
        dialect: dialectOf(db),
        now: () => new Date("2025-01-01T00:00:00Z"),
      });
      expect(quiet.totals.snapshotAttempts).toBe(0);
      expect(quiet.daily).toHaveLength(30);
      expect(quiet.daily.every((d) => d.newUsers === 0 && d.logins === 0)).toBe(true);
      expect(quiet.paidToday).toEqual({ count: 0, amount: 0 });
    });
  });
});

describe("Asia/Shanghai helpers", () => {
  it("moves 16:00 UTC to the next day", () => {
    expect(shanghaiDay(new Date("2026-01-01T16:30:00Z"))).toBe("2026-01-02");
    expect(shanghaiDay(new Date("2026-01-01T15:59:59.999Z"))).toBe("2026-01-01");
    expect(shanghaiClock(new Date("2026-01-01T16:30:05Z"))).toBe("00:30:05");
  });
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("singleFlightCache", () => {
  function setup() {
    let clock = 1_000;
    const calls: ReturnType<typeof deferred<number>>[] = [];
    const errors: unknown[] = [];
    const cache = singleFlightCache(
      () => {
        const d = deferred<number>();
        calls.push(d);
        return d.promise;
      },
      { ttlMs: 60_000, now: () => clock, onError: (err) => errors.push(err) },
    );
    return {
      cache,
      calls,
      errors,
      advance: (ms: number) => {
        clock += ms;
      },
    };
  }

  it("runs one computation for concurrent first callers", async () => {
    const { cache, calls } = setup();
    const all = Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(calls).toHaveLength(1);
    calls[0]?.resolve(42);
    const results = await all;
    expect(results.map((r) => r.value)).toEqual([42, 42, 42]);
    expect(results[0]?.at).toBe(1_000);
  });

  it("serves the value for the TTL without computing again", async () => {
    const { cache, calls, advance } = setup();
    const first = cache.get();
    calls[0]?.resolve(1);
    await first;
    advance(59_999);
    expect((await cache.get()).value).toBe(1);
    expect(calls).toHaveLength(1);
  });

  it("after the TTL returns the stale value at once and refreshes once in the background", async () => {
    const { cache, calls, advance } = setup();
    const first = cache.get();
    calls[0]?.resolve(1);
    await first;
    advance(60_000);
    const stale = await Promise.all([cache.get(), cache.get()]);
    expect(stale.map((r) => r.value)).toEqual([1, 1]);
    expect(calls).toHaveLength(2);
    calls[1]?.resolve(2);
    await calls[1]?.promise;
    await Promise.resolve();
    const fresh = await cache.get();
    expect(fresh).toEqual({ value: 2, at: 61_000 });
    expect(calls).toHaveLength(2);
  });

  it("does not serve a value computed before the data changed: it waits for a new one", async () => {
    const { cache, calls, advance } = setup();
    const first = cache.get();
    calls[0]?.resolve(6);
    await first;
    advance(10_000); // within the TTL, a sync finishes (at 11,000) and changes the totals
    const after = cache.get(11_000);
    expect(calls).toHaveLength(2);
    calls[1]?.resolve(1_006);
    expect(await after).toEqual({ value: 1_006, at: 11_000 });
    // The new value is after the change: served as usual.
    advance(1_000);
    expect((await cache.get(11_000)).value).toBe(1_006);
    expect(calls).toHaveLength(2);
  });

  it("keeps the stale value when a refresh fails, and tries again on the next call", async () => {
    const { cache, calls, errors, advance } = setup();
    const first = cache.get();
    calls[0]?.resolve(1);
    await first;
    advance(60_000);
    expect((await cache.get()).value).toBe(1);
    calls[1]?.reject(new Error("db down"));
    await calls[1]?.promise.catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(1);
    expect((await cache.get()).value).toBe(1);
    expect(calls).toHaveLength(3);
  });

  it("lets a failed first computation reject its callers and the next call start over", async () => {
    const { cache, calls } = setup();
    const first = cache.get();
    calls[0]?.reject(new Error("db down"));
    await expect(first).rejects.toThrow("db down");
    const second = cache.get();
    expect(calls).toHaveLength(2);
    calls[1]?.resolve(5);
    expect((await second).value).toBe(5);
  });
});
