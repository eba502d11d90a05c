// The admin user list on SQLite and PostgreSQL: keyset paging both ways over ties without skipping or
// repeating a row, every filter, search (emoji, rare CJK, LIKE metacharacters, WeChat ids, remarks)
// and the streamed CSV export.
import { beforeAll, describe, expect, it } from "vitest";
import { dialectOf } from "@/lib/db";
import { forEachDatabase } from "@/test/support/db";
import {
  ESTIMATE_TTL_MS,
  estimateUserCount,
  exportUsersCsv,
  listUsers,
  type UserListDeps,
  type UserListRow,
} from "./users";
import { BOM } from "./csv";
import {
  formatShanghaiTime,
  parseUserQuery,
  shanghaiDayEnd,
  shanghaiDayStart,
  type SortDir,
  type SortKey,
  type UserQuery,
} from "./user-query";

const APP_ID = "wx5e1f0c0de0000001";
const OTHER_APP = "wxpcweb00000000001";
const BASE = Date.parse("2026-01-01T00:00:00+08:00");
const N = 250;

// Nicknames that break naive code: ZWJ emoji, characters outside the BMP, LIKE metacharacters.
const SPECIAL: Record<number, string> = {
  0: "快乐👨‍👩‍👧一家",
  1: "👨‍👩‍👧‍👦",
  2: "𠮷野家",
  3: "100%纯棉",
  4: "1000纯棉",
  5: "a_b",
  6: "axb",
  7: "back\\slash",
  8: "Tony 王",
  9: "TONY stark",
  10: '引号"逗号,换行\n',
  11: '=HYPERLINK("x")',
};

interface Fixture {
  id: string;
  nickname: string | null;
  remark: string | null;
  unionid: string | null;
  openid: string;
  scope: string;
  subscribed: boolean | null;
  snapshotAttempts: number;
  createdAt: Date;
  lastLoginAt: Date;
}

function fixtures(): Fixture[] {
  return Array.from({ length: N }, (_, i) => {
    const userinfo = i % 5 < 2;
    const pad = String(i).padStart(3, "0");
    return {
      id: `u${pad}`,
      nickname: userinfo ? (SPECIAL[i] ?? `用户${pad}`) : (SPECIAL[i] ?? null),
      remark: i % 40 === 7 ? `VIP客户${pad}` : null,
      unionid: userinfo && i % 2 === 0 ? `oUnion${pad}`.padEnd(28, "U") : null,
      openid: `oOpen${pad}`.padEnd(28, "O"),
      scope: userinfo ? "snsapi_userinfo" : "snsapi_base",
      subscribed: i % 3 === 0 ? true : i % 3 === 1 ? false : null,
      snapshotAttempts: i % 50 === 0 ? 2 : 0,
      // Groups of three share a sign-up instant, and ids are not in time order: ties need the id.
      createdAt: new Date(BASE + Math.floor(((i * 37) % N) / 3) * 3_600_000),
      // Logins spread over 10 days, many sharing a minute.
      lastLoginAt: new Date(BASE + ((i * 7919) % 120) * 7_200_000),
    };
  });
}

const ALL = fixtures();

// Tags as the follower sync stores them: WeChat's id and name, and who carries which.
const TAGS = [
  { id: 2, name: "星标组" },
  { id: 100, name: "VIP" },
  { id: 101, name: "潜在客户" },
];
const number = (f: Fixture) => Number(f.id.slice(1));
const TAGGED: Record<number, (f: Fixture) => boolean> = {
  2: (f) => number(f) % 10 === 3,
  100: (f) => number(f) % 7 === 0,
  101: () => false,
};

function query(search: string): UserQuery {
  const result = parseUserQuery(new URLSearchParams(search));
  if (!result.ok) throw new Error(result.issues.join("; "));
  return result.query;
}

function expectedOrder(rows: readonly Fixture[], sort: SortKey, dir: SortDir): string[] {
  const key = (f: Fixture) => (sort === "created" ? f.createdAt : f.lastLoginAt).getTime();
  const sign = dir === "desc" ? -1 : 1;
  return [...rows]
    .sort((a, b) => sign * (key(a) - key(b)) || sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((f) => f.id);
}

const ids = (rows: readonly UserListRow[]) => rows.map((r) => r.id);

const NEVER_LOGGED_IN = "u002";

forEachDatabase((kind, database) => {
  let deps: UserListDeps;

  beforeAll(async () => {
    const { db } = database();
    deps = { db, dialect: dialectOf(db), appId: APP_ID };
    await db.user.createMany({
      data: ALL.map((f) => ({
        id: f.id,
        nickname: f.nickname,
        remark: f.remark,
        unionid: f.unionid,
        scope: f.scope,
        subscribed: f.subscribed,
        snapshotAttempts: f.snapshotAttempts,
        createdAt: f.createdAt,
        lastLoginAt: f.lastLoginAt,
        province: f.nickname ? "广东" : null,
        city: f.nickname ? "深圳" : null,
      })),
    });
    await db.identity.createMany({
      data: [
        ...ALL.map((f) => ({ appid: APP_ID, openid: f.openid, userId: f.id })),
        // A second app's identity: the list shows our appid's openid, and finds the person by either.
        { appid: OTHER_APP, openid: "oOtherApp0000000000000000001", userId: "u001" },
      ],
    });
    await db.tag.createMany({ data: TAGS });
    await db.userTag.createMany({
      data: TAGS.flatMap((t) => ALL.filter(TAGGED[t.id]!).map((f) => ({ tagId: t.id, userId: f.id }))),
    });
    // Everyone logged in at their lastLoginAt but u002: a follower we only know from a sync.
    await db.loginEvent.createMany({
      data: ALL.filter((f) => f.id !== NEVER_LOGGED_IN).map((f) => ({
        userId: f.id,
        appid: APP_ID,
        scope: f.scope,
        createdAt: f.lastLoginAt,
      })),
    });
  });

  /** Every page from the first, following `next`; then back from the last, following `prev`. */
  async function walk(search: string) {
    const base = query(search);
    const forward: string[][] = [];
    let page = await listUsers(deps, base);
    forward.push(ids(page.rows));
    expect(page.prev).toBeUndefined();
    while (page.next) {
      page = await listUsers(deps, { ...base, after: page.next });
      forward.push(ids(page.rows));
      expect(forward.length).toBeLessThan(100);
    }
    const backward: string[][] = [ids(page.rows)];
    while (page.prev) {
      page = await listUsers(deps, { ...base, before: page.prev });
      backward.unshift(ids(page.rows));
      expect(backward.length).toBeLessThan(100);
    }
    return { forward, backward };
  }

  describe("keyset paging", () => {
    it.each([
      ["created", "desc"],
      ["created", "asc"],
      ["login", "desc"],
      ["login", "asc"],
    ] as const)("by %s %s visits every row once, forward and back, across ties", async (sort, dir) => {
      const { forward, backward } = await walk(`sort=${sort}&dir=${dir}&limit=7`);
      const expected = expectedOrder(ALL, sort, dir);
      expect(forward.flat()).toEqual(expected);
      expect(forward.slice(0, -1).every((p) => p.length === 7)).toBe(true);
      // Going back shows the very same pages (the first one refilled to a full page).
      expect(backward).toEqual(forward);
    });

    it("refills the first page when paging back reaches the start", async () => {
      const base = query("limit=10");
      const first = await listUsers(deps, base);
      const second = await listUsers(deps, { ...base, after: first.next });
      // A cursor only 3 rows in: fewer than a page lies before it.
      const back = await listUsers(deps, {
        ...base,
        before: { value: second.rows[0]!.createdAt, id: second.rows[0]!.id },
      });
      expect(ids(back.rows)).toEqual(ids(first.rows));
      const near = await listUsers(deps, { ...base, before: first.next! });
      expect(ids(near.rows)).toEqual(ids(first.rows));
      expect(near.prev).toBeUndefined();
      expect(near.next).toBeDefined();
    });

    it("pages filtered results too", async () => {
      const { forward } = await walk("scope=snsapi_userinfo&sort=login&limit=9");
      expect(forward.flat()).toEqual(
        expectedOrder(
          ALL.filter((f) => f.scope === "snsapi_userinfo"),
          "login",
          "desc",
        ),
      );
    });

    it("estimates the total only when nothing is filtered", async () => {
      const page = await listUsers(deps, query(""));
      expect(page.estimatedTotal === null || page.estimatedTotal >= 0).toBe(true);
      if (kind === "sqlite") expect(page.estimatedTotal).toBe(N);
      expect((await listUsers(deps, query("scope=snsapi_base"))).estimatedTotal).toBeNull();
    });

    it("remembers the estimate for a minute, then reads it again", async () => {
      const later = Date.now() + 10 * ESTIMATE_TTL_MS;
      const first = await estimateUserCount(deps, later);
      await deps.db.user.create({ data: { id: "u-estimate" } });
      try {
        expect(await estimateUserCount(deps, later + ESTIMATE_TTL_MS - 1)).toBe(first);
        // SQLite's estimate is the largest rowid, so it sees the new row at once; PostgreSQL's waits for ANALYZE.
        if (kind === "sqlite") expect(await estimateUserCount(deps, later + ESTIMATE_TTL_MS)).toBe(N + 1);
      } finally {
        await deps.db.user.delete({ where: { id: "u-estimate" } });
        await estimateUserCount(deps, later + 3 * ESTIMATE_TTL_MS);
      }
    });
  });

  describe("rows", () => {
    it("carry our appid's openid, normalised booleans and dates", async () => {
      const page = await listUsers(deps, query(`q=${ALL[1]!.openid}`));
      expect(page.rows).toHaveLength(1);
      const row = page.rows[0]!;
      expect(row).toMatchObject({
        id: "u001",
        openid: ALL[1]!.openid,
        subscribed: false,
        snapshotAttempts: 0,
        scope: "snsapi_userinfo",
      });
      expect(row.createdAt).toEqual(ALL[1]!.createdAt);
      expect(row.lastLoginAt).toEqual(ALL[1]!.lastLoginAt);
      const zero = (await listUsers(deps, query(`q=${ALL[0]!.openid}`))).rows[0]!;
      expect(zero.subscribed).toBe(true);
      expect(zero.snapshotAttempts).toBe(2);
      const never = (await listUsers(deps, query(`q=${ALL[2]!.openid}`))).rows[0]!;
      expect(never.subscribed).toBeNull();
      // A follower who never logged in keeps a sort key (when we first saw them) but says so.
      expect([row.loggedIn, zero.loggedIn, never.id, never.loggedIn]).toEqual([true, true, NEVER_LOGGED_IN, false]);
    });
  });

  describe("filters", () => {
    const cases: [string, (f: Fixture) => boolean][] = [
      ["scope=snsapi_base", (f) => f.scope === "snsapi_base"],
      ["scope=snsapi_userinfo", (f) => f.scope === "snsapi_userinfo"],
      ["unionid=yes", (f) => f.unionid !== null],
      ["unionid=no", (f) => f.unionid === null],
      ["subscribed=yes", (f) => f.subscribed === true],
      ["subscribed=no", (f) => f.subscribed === false],
      ["subscribed=unknown", (f) => f.subscribed === null],
      ["snapshot=yes", (f) => f.snapshotAttempts > 0],
      [
        "createdFrom=2026-01-03&createdTo=2026-01-05",
        (f) => f.createdAt >= shanghaiDayStart("2026-01-03") && f.createdAt < shanghaiDayEnd("2026-01-05"),
      ],
      [
        "loginFrom=2026-01-04&loginTo=2026-01-04",
        (f) => f.lastLoginAt >= shanghaiDayStart("2026-01-04") && f.lastLoginAt < shanghaiDayEnd("2026-01-04"),
      ],
      ["tag=100", TAGGED[100]!],
      ["tag=2", TAGGED[2]!],
      ["tag=100&scope=snsapi_base", (f) => TAGGED[100]!(f) && f.scope === "snsapi_base"],
      [
        "scope=snsapi_userinfo&unionid=no&subscribed=yes",
        (f) => f.scope === "snsapi_userinfo" && f.unionid === null && f.subscribed === true,
      ],
    ];
    it.each(cases)("%s", async (search, match) => {
      const page = await listUsers(deps, query(`${search}&limit=200`));
      const expected = expectedOrder(ALL.filter(match), "created", "desc");
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(N);
      expect(ids(page.rows)).toEqual(expected);
    });

    it("by tag: only people who carry it; a tag nobody carries, or an unknown one, finds nobody", async () => {
      const { forward } = await walk("tag=100&sort=login&dir=asc&limit=8");
      expect(forward.flat()).toEqual(expectedOrder(ALL.filter(TAGGED[100]!), "login", "asc"));
      expect(forward.length).toBeGreaterThan(2);
      expect((await listUsers(deps, query("tag=101"))).rows).toEqual([]);
      expect((await listUsers(deps, query("tag=999"))).rows).toEqual([]);
      expect((await listUsers(deps, query("tag=100"))).estimatedTotal).toBeNull();
    });

    it("by 来源二维码: only people who followed through that code", async () => {
      const { db } = database();
      await db.user.updateMany({ where: { id: { in: ["u003", "u007"] } }, data: { qrScene: "poster" } });
      await db.user.updateMany({ where: { id: "u005" }, data: { qrScene: "booth" } });
      try {
        expect(ids((await listUsers(deps, query("qrScene=poster&limit=200"))).rows).sort()).toEqual(["u003", "u007"]);
        expect((await listUsers(deps, query("qrScene=nobody"))).rows).toEqual([]);
      } finally {
        await db.user.updateMany({ data: { qrScene: null } });
      }
    });

    it("includes the whole last day of a range, in Beijing time", async () => {
      // u000 signed up at 2026-01-01 00:00 +08:00, i.e. 2025-12-31 16:00 UTC.
      const day = await listUsers(deps, query("createdFrom=2026-01-01&createdTo=2026-01-01&limit=200"));
      expect(ids(day.rows)).toContain("u000");
      const before = await listUsers(deps, query("createdTo=2025-12-31"));
      expect(before.rows).toHaveLength(0);
    });
  });

  describe("search", () => {
    async function search(q: string): Promise<string[]> {
      return ids((await listUsers(deps, query(`q=${encodeURIComponent(q)}&limit=200`))).rows).sort();
    }

    it("finds a ZWJ emoji sequence as a substring, and not its parts' other sequences", async () => {
      expect(await search("👨‍👩‍👧")).toEqual(["u000", "u001"]);
      expect(await search("👨‍👩‍👧‍👦")).toEqual(["u001"]);
      expect(await search("乐👨")).toEqual(["u000"]);
    });

    it("finds CJK outside the BMP", async () => {
      expect(await search("𠮷")).toEqual(["u002"]);
      expect(await search("𠮷野")).toEqual(["u002"]);
    });

    it("takes %, _ and \\ literally", async () => {
      expect(await search("100%")).toEqual(["u003"]);
      expect(await search("%")).toEqual(["u003"]);
      expect(await search("a_b")).toEqual(["u005"]);
      expect(await search("_")).toEqual(["u005"]);
      expect(await search("\\")).toEqual(["u007"]);
    });

    it("ignores case for Latin letters", async () => {
      expect(await search("tony")).toEqual(["u008", "u009"]);
      expect(await search("STARK")).toEqual(["u009"]);
    });

    it("matches a substring of the nickname or of the remark", async () => {
      expect(await search("用户01")).toEqual(
        ALL.filter((f) => f.nickname?.includes("用户01"))
          .map((f) => f.id)
          .sort(),
      );
      expect(await search("VIP")).toEqual(
        ALL.filter((f) => f.remark)
          .map((f) => f.id)
          .sort(),
      );
      expect(await search("VIP客户047")).toEqual(["u047"]);
      expect(await search("没有这个人")).toEqual([]);
    });

    it("matches openids exactly, of any of the person's apps", async () => {
      expect(await search(ALL[42]!.openid)).toEqual(["u042"]);
      expect(await search("oOtherApp0000000000000000001")).toEqual(["u001"]);
      expect(await search(ALL[42]!.openid.slice(0, -1))).toEqual([]);
    });

    it("finds a short id-like openid exactly (the README's o_demo), and still finds ASCII text otherwise", async () => {
      const { db } = database();
      await db.identity.create({ data: { appid: OTHER_APP, openid: "o_demo", userId: "u007" } });
      try {
        expect(await search("o_demo")).toEqual(["u007"]);
        expect(await search("o_dem")).toEqual([]);
        expect(await search("VIP")).toEqual(
          ALL.filter((f) => f.remark)
            .map((f) => f.id)
            .sort(),
        );
      } finally {
        await db.identity.deleteMany({ where: { openid: "o_demo" } });
      }
    });

    it("matches unionids exactly", async () => {
      const withUnionid = ALL.find((f) => f.unionid)!;
      expect(await search(withUnionid.unionid!)).toEqual([withUnionid.id]);
    });

    it("combines with filters and pages", async () => {
      const { forward } = await walk(`q=${encodeURIComponent("用户")}&scope=snsapi_userinfo&limit=6`);
      expect(forward.flat()).toEqual(
        expectedOrder(
          ALL.filter((f) => f.nickname?.includes("用户")),
          "created",
          "desc",
        ),
      );
    });
  });

  describe("CSV export", () => {
    async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
      return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
    }

    it("streams every matching row in order, in pages, with a BOM and a Chinese header", async () => {
      const { sort, dir, ...rest } = query("sort=login&dir=asc");
      let statements = 0;
      const counting: UserListDeps = {
        ...deps,
        db: new Proxy(deps.db, {
          get(target, prop, receiver) {
            if (prop === "$queryRaw") statements++;
            return Reflect.get(target, prop, receiver);
          },
        }),
      };
      const csv = await text(exportUsersCsv(counting, { ...rest, sort, dir }, 40));
      expect(csv.startsWith(BOM)).toBe(true);
      const lines = csv.slice(1).split("\r\n");
      expect(lines[0]).toBe("id,昵称,openid,unionid,授权范围,已关注,备注,注册时间,最近登录,省份,城市");
      expect(lines.at(-1)).toBe("");
      // ceil(250 / 40) = 7 pages: pulled 40 at a time, never all at once.
      expect(statements).toBe(7);
      const firstCells = lines.slice(1, -1).map((line) => line.split(",")[0]);
      // u010's nickname holds a line break inside quotes; count records by id instead of lines.
      const idsInCsv = firstCells.filter((c): c is string => /^u\d{3}$/.test(c ?? ""));
      expect(idsInCsv).toEqual(expectedOrder(ALL, "login", "asc"));
    });

    it("writes each row's cells as Excel should see them", async () => {
      const row = async (i: number) => {
        const f = ALL[i]!;
        const { after: _x, before: _y, limit: _z, ...only } = query(`q=${f.openid}`);
        return (await text(exportUsersCsv(deps, only))).slice(1).split("\r\n").slice(1, -1).join("\r\n");
      };
      const f0 = ALL[0]!;
      expect(await row(0)).toBe(
        [
          "u000",
          "快乐👨‍👩‍👧一家",
          f0.openid,
          f0.unionid,
          "snsapi_userinfo",
          "是",
          "",
          formatShanghaiTime(f0.createdAt),
          formatShanghaiTime(f0.lastLoginAt),
          "广东",
          "深圳",
        ].join(","),
      );
      expect(f0.createdAt.getTime()).toBe(BASE);
      expect(formatShanghaiTime(f0.createdAt)).toBe("2026-01-01 00:00:00");
      expect(await row(10)).toContain('"引号""逗号,换行\n"');
      // Never logged in: the last-login cell is empty.
      expect((await row(2)).split(",")[8]).toBe("");
      expect((await row(11)).split(",")[1]).toBe(`"'=HYPERLINK(""x"")"`);
      expect((await row(2)).split(",")[5]).toBe("未知");
    });
  });
});
