// The admin console's user list, /admin/users, as a signed-in viewer on a phone-width screen: a static
// shell that shows a loading state, then the rows from the JSON list; the table, paging forward and back
// (links and the browser's back button), search, filters that live in the URL, a friendly message for a
// bad URL, a failed or refused request, the CSV download parsed and checked, the columns each browser
// chooses, and a bulk block WeChat refuses in part. The browser is set to another time zone and language
// than the console's: dates and the date picker are Beijing's and Chinese all the same.
import fs from "node:fs/promises";
import Database from "better-sqlite3";
import pg from "pg";
import { expect, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { test as base } from "../fixtures";
import { isPostgres, sqliteFile } from "../support/database";
import { SIM_URL } from "../support/env";
import { ConsoleShell, STAFF, StaffSignInPage, clearSignInAttempts, createStaffAccounts, type StaffKey } from "./staff";

const APP_ID = "wx5e1f0c0de0000001";
const COUNT = 120;
const START = Date.parse("2026-01-01T00:00:00+08:00");

interface SeedUser {
  id: string;
  nickname: string | null;
  remark: string | null;
  unionid: string | null;
  openid: string;
  scope: string;
  subscribed: boolean | null;
  createdAt: Date;
}

const SPECIAL: Record<number, string> = { 5: "快乐👨‍👩‍👧家", 7: "𠮷野家", 9: "Tony 王", 13: "=1+1" };

/** Users e2e-000 … e2e-119, one hour apart (e2e-119 is the newest); every third has a profile. */
const USERS: SeedUser[] = Array.from({ length: COUNT }, (_, i) => {
  const pad = String(i).padStart(3, "0");
  const userinfo = i % 3 === 0 || i in SPECIAL;
  return {
    id: `e2e-${pad}`,
    nickname: SPECIAL[i] ?? (userinfo ? `用户${pad}` : null),
    remark: i === 11 ? "VIP,大客户" : null,
    unionid: userinfo && i % 2 === 0 ? `oUnionE2e${pad}`.padEnd(28, "u") : null,
    openid: `oOpenE2e${pad}`.padEnd(28, "o"),
    scope: userinfo ? "snsapi_userinfo" : "snsapi_base",
    subscribed: i % 4 === 0 ? true : i % 4 === 1 ? false : null,
    createdAt: new Date(START + i * 3_600_000),
  };
});
const newestFirst = [...USERS].reverse();
/** Followers known only from WeChat (a sync, a subscribe push): no login event. The others logged in once, at createdAt. */
const neverLoggedIn = (u: SeedUser) => Number(u.id.slice(4)) % 6 === 1;

/**
 * Tags as the follower sync stores them; every tenth user carries "VIP客户", nobody "空标签". Ids far from
 * the simulator's (which start at 100), as other specs may create tags in the same database.
 */
const TAGS = [
  { id: 90100, name: "VIP客户" },
  { id: 90101, name: "空标签" },
];
const VIP = USERS.filter((_, i) => i % 10 === 0);

/** Writes USERS (and an Identity each) straight into the app's database, as the app would store them. */
async function seedUsers(databaseUrl: string): Promise<void> {
  const columns = [
    "id",
    "nickname",
    "remark",
    "unionid",
    "scope",
    "subscribed",
    "createdAt",
    "updatedAt",
    "lastLoginAt",
  ];
  const identityColumns = ["id", "appid", "openid", "userId"];
  const quoted = (cs: string[]) => cs.map((c) => `"${c}"`).join(", ");
  const loggedIn = USERS.filter((u) => !neverLoggedIn(u));
  if (isPostgres(databaseUrl)) {
    // One statement per table (a round trip per row cost about 1.5 s a test here).
    const insert = async (head: string, rows: unknown[][], tail = "") => {
      const width = rows[0]!.length;
      const tuples = rows.map(
        (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(", ")})`,
      );
      await client.query(`${head} VALUES ${tuples.join(", ")} ${tail}`, rows.flat());
    };
    const at = (u: SeedUser) => u.createdAt.toISOString().slice(0, -1); // timestamp(3) holds UTC
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query("BEGIN");
      await insert(
        `INSERT INTO "User" (${quoted(columns)})`,
        USERS.map((u) => [u.id, u.nickname, u.remark, u.unionid, u.scope, u.subscribed, at(u), at(u), at(u)]),
      );
      await insert(
        `INSERT INTO "Identity" (${quoted(identityColumns)})`,
        USERS.map((u) => [`i-${u.id}`, APP_ID, u.openid, u.id]),
      );
      await insert(
        `INSERT INTO "LoginEvent" ("id", "userId", "appid", "scope", "createdAt")`,
        loggedIn.map((u) => [`l-${u.id}`, u.id, APP_ID, u.scope, at(u)]),
      );
      // Tags outlive the users between tests (the fixture empties only the login tables).
      await insert(
        `INSERT INTO "Tag" ("id", "name", "updatedAt")`,
        TAGS.map((t) => [t.id, t.name, new Date().toISOString().slice(0, -1)]),
        `ON CONFLICT ("id") DO NOTHING`,
      );
      await insert(
        `INSERT INTO "UserTag" ("tagId", "userId")`,
        VIP.map((u) => [90100, u.id]),
        `ON CONFLICT ("tagId", "userId") DO NOTHING`,
      );
      await client.query("COMMIT");
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(sqliteFile(databaseUrl));
  try {
    db.pragma("busy_timeout = 5000");
    const user = db.prepare(`INSERT INTO "User" (${quoted(columns)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const identity = db.prepare(`INSERT INTO "Identity" (${quoted(identityColumns)}) VALUES (?, ?, ?, ?)`);
    const login = db.prepare(
      `INSERT INTO "LoginEvent" ("id", "userId", "appid", "scope", "createdAt") VALUES (?, ?, ?, ?, ?)`,
    );
    db.transaction(() => {
      // @prisma/adapter-better-sqlite3's DateTime format.
      const at = (u: SeedUser) => u.createdAt.toISOString().replace("Z", "+00:00");
      for (const u of USERS) {
        const subscribed = u.subscribed === null ? null : u.subscribed ? 1 : 0;
        user.run(u.id, u.nickname, u.remark, u.unionid, u.scope, subscribed, at(u), at(u), at(u));
        identity.run(`i-${u.id}`, APP_ID, u.openid, u.id);
      }
      for (const u of loggedIn) login.run(`l-${u.id}`, u.id, APP_ID, u.scope, at(u));
      // Tags outlive the users between tests (the fixture empties only the login tables).
      const tag = db.prepare(`INSERT OR IGNORE INTO "Tag" ("id", "name", "updatedAt") VALUES (?, ?, ?)`);
      for (const t of TAGS) tag.run(t.id, t.name, new Date().toISOString().replace("Z", "+00:00"));
      const userTag = db.prepare(
        `INSERT OR IGNORE INTO "UserTag" ("tagId", "userId", "createdAt") VALUES (90100, ?, ?)`,
      );
      for (const u of VIP) userTag.run(u.id, new Date().toISOString().replace("Z", "+00:00"));
    })();
  } finally {
    db.close();
  }
}

/** Runs one statement with `?` parameters on the app's database. */
async function execute(databaseUrl: string, sql: string, params: unknown[]): Promise<void> {
  if (isPostgres(databaseUrl)) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    let i = 0;
    await client.query(
      sql.replace(/\?/g, () => `$${++i}`),
      params,
    );
    await client.end();
    return;
  }
  const db = new Database(sqliteFile(databaseUrl));
  db.prepare(sql).run(...params);
  db.close();
}

/** /admin/users */
class UserListPage {
  readonly rows: Locator;
  readonly next: Locator;
  readonly prev: Locator;
  readonly nextDisabled: Locator;
  readonly prevDisabled: Locator;
  readonly search: Locator;
  readonly searchSubmit: Locator;
  readonly exportLink: Locator;
  readonly error: Locator;
  readonly empty: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId("user-row");
    this.next = page.getByTestId("next-page");
    this.prev = page.getByTestId("prev-page");
    this.nextDisabled = page.getByTestId("next-page-disabled");
    this.prevDisabled = page.getByTestId("prev-page-disabled");
    this.search = page.getByTestId("search-input");
    this.searchSubmit = page.getByTestId("search-submit");
    this.exportLink = page.getByTestId("export-csv");
    this.error = page.getByTestId("query-error");
    this.empty = page.getByTestId("no-users");
  }

  async open(search = ""): Promise<void> {
    await this.page.goto(`/admin/users${search}`);
  }

  /** The ids of the rows shown, in order. */
  async ids(): Promise<string[]> {
    return this.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-user-id") ?? ""));
  }

  async expectIds(ids: string[]): Promise<void> {
    // Poll: two pages can have the same number of rows, so the count alone does not show the
    // navigation has finished. Every 50 ms: the default backs off to a second between looks.
    await expect.poll(() => this.ids(), { intervals: [50] }).toEqual(ids);
  }

  filter(name: string): Locator {
    return this.page.getByTestId(`filter-${name}`);
  }

  /** One end of a date range picker (createdFrom, createdTo, loginFrom, loginTo). */
  dateInput(name: string): Locator {
    return this.page.locator(`#filter-${name}`);
  }

  /**
   * Opens the range picker of `name` (one of its ends) and waits until its dropdown has settled: antd
   * slides it in, and a click while it moves can land beside what it aimed at.
   */
  async openPicker(name: string): Promise<Locator> {
    await this.dateInput(name).click();
    const dropdown = this.page.locator(".user-range-popup").filter({ visible: true });
    await expect(dropdown).toHaveCount(1);
    await expect(dropdown).not.toHaveClass(/-(appear|enter|leave)/);
    return dropdown;
  }

  /** A column's header, by its title. */
  header(title: string): Locator {
    return this.page.getByRole("columnheader", { name: title, exact: true });
  }

  /** The query string of the current URL, decoded, as a plain object. */
  params(): Record<string, string> {
    return Object.fromEntries(new URL(this.page.url()).searchParams);
  }
}

type StaffCookies = Awaited<ReturnType<BrowserContext["cookies"]>>;

const test = base.extend<
  { list: UserListPage; adminList: UserListPage },
  { staffSessions: Record<StaffKey, StaffCookies> }
>({
  // Signed in once per worker, by the sign-in page, as each role; every test's browser gets those cookies.
  // Signing in for each test (the form, then the dashboard it lands on) cost 1.2–2.4 s a test; the console's
  // sign-in itself is auth.spec.ts's. The test that signs out signs in on its own.
  staffSessions: [
    async ({ databaseUrl, browser }, provide, workerInfo) => {
      createStaffAccounts(databaseUrl);
      await clearSignInAttempts(databaseUrl);
      const origin = new URL(workerInfo.project.use.baseURL ?? "").origin;
      const sessions = {} as Record<StaffKey, StaffCookies>;
      for (const key of ["viewer", "admin"] as const) {
        const context = await browser.newContext({ baseURL: origin });
        await new StaffSignInPage(await context.newPage(), origin).signInAs(key);
        sessions[key] = await context.cookies();
        await context.close();
      }
      await provide(sessions);
    },
    { scope: "worker" },
  ],
  list: async ({ page, databaseUrl, staffSessions }, provide) => {
    await seedUsers(databaseUrl);
    await page.context().addCookies(staffSessions.viewer);
    await provide(new UserListPage(page));
  },
  adminList: async ({ page, databaseUrl, staffSessions }, provide) => {
    await seedUsers(databaseUrl);
    await page.context().addCookies(staffSessions.admin);
    await provide(new UserListPage(page));
  },
});

// A browser in Los Angeles, in English: what the console shows is Beijing's and Chinese all the same
// (Los Angeles' date is not Beijing's for 15 or 16 hours of each day).
test.use({ timezoneId: "America/Los_Angeles", locale: "en-US" });

const ids = (users: SeedUser[]) => users.map((u) => u.id);
/** Today's date in Beijing, YYYY-MM-DD. */
const beijingToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

test("the list: newest first, the columns staff need, each row linked to the person's page", async ({ list }) => {
  await list.open();
  await list.expectIds(ids(newestFirst.slice(0, 50)));
  await expect(list.prevDisabled).toBeVisible();
  await expect(list.page.getByTestId("user-count")).toBeVisible();

  const zero = USERS[0]!;
  await list.open(`?q=${zero.openid}`);
  const row = list.rows.first();
  await expect(row.getByTestId("user-nickname")).toHaveText("用户000");
  await expect(row.getByTestId("user-openid")).toHaveText(zero.openid);
  await expect(row.getByTestId("user-openid")).toHaveAttribute("title", zero.openid);
  await expect(row.getByTestId("user-unionid")).toHaveText(zero.unionid!);
  await expect(row.getByTestId("user-scope")).toHaveText("资料");
  await expect(row.getByTestId("user-subscribed")).toHaveText("是");
  await expect(row.getByTestId("user-created")).toHaveText("2026-01-01 00:00");
  await expect(row.getByTestId("user-last-login")).toHaveText("2026-01-01 00:00");
  await expect(row.getByTestId("avatar-fallback")).toHaveText("用");

  // Ids in full, not cut at the end (follower openids differ only there), with a copy button.
  for (const id of ["user-openid", "user-unionid"])
    expect(
      await row.getByTestId(id).evaluate((el) => {
        const cell = el.closest("td")!.getBoundingClientRect();
        const text = el.getBoundingClientRect();
        return text.left >= cell.left && text.right <= cell.right;
      }),
    ).toBe(true);
  await expect(row.getByRole("button", { name: "复制" })).toHaveCount(2);

  await row.getByTestId("user-link").click();
  await list.page.waitForURL((url) => url.pathname === `/admin/users/${zero.id}`);
  expect(new URL(list.page.url()).searchParams.get("from")).toBe(`q=${zero.openid}`);

  // A follower we only know from WeChat has no last login to show.
  const follower = USERS[1]!;
  expect(neverLoggedIn(follower)).toBe(true);
  await list.open(`?q=${follower.openid}`);
  await expect(list.rows.first().getByTestId("user-last-login")).toHaveText("从未登录");
});

const isListData = (url: URL) => url.pathname === "/api/admin/users";

test("a static shell: the same HTML for every view, a loading state, then the rows", async ({ list }) => {
  // The shell's HTML holds no data: the same bytes whatever the view, rows only from the JSON list.
  const shell = await list.page.request.get("/admin/users?scope=snsapi_base");
  const html = await shell.text();
  expect(html).toContain('data-testid="user-list-loading"');
  expect(html).not.toContain("e2e-1");

  // Hold the list's data until the loading state has been seen.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await list.page.route(isListData, async (route) => {
    await held;
    await route.continue();
  });
  await list.open();
  await expect(list.page.getByTestId("user-list-loading")).toBeVisible();
  await expect(list.rows).toHaveCount(0);
  // The frame does not wait for the list: who is signed in shows meanwhile.
  const frame = new ConsoleShell(list.page);
  await expect(frame.email).toHaveText(STAFF.viewer.email);
  await expect(frame.role).toHaveAttribute("data-role", "viewer");
  release();
  await list.expectIds(ids(newestFirst.slice(0, 50)));
  await expect(list.page.getByTestId("user-list-loading")).toHaveCount(0);
});

test("a failed request shows why and can be retried; a 401 goes to sign-in and back", async ({ list }) => {
  await list.page.route(isListData, (route) => route.fulfill({ status: 503, body: "" }), { times: 1 });
  await list.open();
  const failure = list.page.getByTestId("user-list-error");
  await expect(failure).toContainText("用户列表加载失败");
  await failure.getByRole("button", { name: "重试" }).click();
  await list.expectIds(ids(newestFirst.slice(0, 50)));

  // The session ended between the shell and its data (expired, or the account disabled): the API says
  // 401, and the browser goes to sign-in with this very view to come back to. This one is still signed
  // in, so sign-in sends it straight back, where the list now answers.
  // Only the request for the view opened below: a late request of the previous view must not take it.
  await list.page.route(
    (url) => isListData(url) && url.searchParams.get("scope") === "snsapi_base",
    (route) =>
      route.fulfill({
        status: 401,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "unauthenticated", message: "请先登录管理后台。" } }),
      }),
    { times: 1 },
  );
  const signIn = list.page.waitForRequest((request) => new URL(request.url()).pathname === "/admin/signin");
  const answered = list.page.waitForResponse((response) => isListData(new URL(response.url())) && response.ok());
  await list.open("?scope=snsapi_base");
  expect(new URL((await signIn).url()).searchParams.get("callbackUrl")).toBe("/admin/users?scope=snsapi_base");
  await answered;
  await list.expectIds(ids(newestFirst.filter((u) => u.scope === "snsapi_base").slice(0, 50)));
  expect(list.params()).toEqual({ scope: "snsapi_base" });
});

test("a long URL is made canonical in place; sign-out works from the static shell", async ({
  list,
  browser,
  appOrigin,
}) => {
  await list.open("?q=&scope=&sort=created&dir=desc&limit=50&tag=");
  await list.page.waitForURL((url) => url.search === "");
  await list.expectIds(ids(newestFirst.slice(0, 50)));

  // Signing out revokes the session: a session of this test's own, not the worker's that others share.
  const context = await browser.newContext({ baseURL: appOrigin });
  const own = new UserListPage(await context.newPage());
  await new StaffSignInPage(own.page, appOrigin).signInAs("viewer");
  await own.open();
  await own.expectIds(ids(newestFirst.slice(0, 50)));
  const frame = new ConsoleShell(own.page);
  await frame.signOutButton.click();
  await new StaffSignInPage(own.page, appOrigin).waitForPage();
  expect((await frame.whoami()).status).toBe(401);
  await context.close();
});

test("paging forward and back by cursor, with links and the back button", async ({ list }) => {
  await list.open();
  await list.next.click();
  await list.page.waitForURL((url) => url.searchParams.has("after"));
  await list.expectIds(ids(newestFirst.slice(50, 100)));
  const secondPage = list.page.url();

  await list.next.click();
  await list.page.waitForURL((url) => url.toString() !== secondPage);
  await list.expectIds(ids(newestFirst.slice(100)));
  await expect(list.nextDisabled).toBeVisible();

  await list.page.goBack();
  await list.expectIds(ids(newestFirst.slice(50, 100)));
  expect(list.page.url()).toBe(secondPage);

  await list.page.goForward();
  await list.expectIds(ids(newestFirst.slice(100)));
  await list.prev.click();
  await list.page.waitForURL((url) => url.searchParams.has("before"));
  await list.expectIds(ids(newestFirst.slice(50, 100)));
  await list.prev.click();
  await list.expectIds(ids(newestFirst.slice(0, 50)));
  await expect(list.prevDisabled).toBeVisible();

  // A shared URL shows the same page in a new tab.
  const other = await list.page.context().newPage();
  await other.goto(secondPage);
  await expect(other.getByTestId("user-row")).toHaveCount(50);
  expect(await other.getByTestId("user-row").first().getAttribute("data-user-id")).toBe(newestFirst[50]!.id);
  await other.close();
});

test("search: emoji, rare CJK, Latin without case, a WeChat id; the query stays in the URL", async ({ list }) => {
  await list.open();
  await list.search.fill("👨‍👩‍👧");
  await list.searchSubmit.click();
  await list.page.waitForURL((url) => url.searchParams.get("q") === "👨‍👩‍👧");
  // Empty fields and defaults are not in the URL.
  expect(list.params()).toEqual({ q: "👨‍👩‍👧" });
  await list.expectIds(["e2e-005"]);
  await expect(list.search).toHaveValue("👨‍👩‍👧");

  await list.search.fill("𠮷");
  await list.searchSubmit.click();
  await list.page.waitForURL((url) => url.searchParams.get("q") === "𠮷");
  await list.expectIds(["e2e-007"]);

  await list.search.fill("  tony ");
  await list.searchSubmit.click();
  await list.page.waitForURL((url) => url.searchParams.get("q") === "tony");
  await list.expectIds(["e2e-009"]);

  await list.search.fill(USERS[42]!.openid);
  await list.searchSubmit.click();
  await list.expectIds(["e2e-042"]);

  await list.search.fill("没有这个人");
  await list.searchSubmit.click();
  await expect(list.empty).toBeVisible();
  await expect(list.rows).toHaveCount(0);

  await list.page.goBack();
  await list.expectIds(["e2e-042"]);
});

test("filters apply at once, live in the URL, survive paging and reload; a filtered view has a count", async ({
  list,
}) => {
  await list.open();
  // No 搜索 press: each choice applies as it is made (issue 16: dropdown filters did nothing until 搜索).
  await list.filter("scope").selectOption("snsapi_userinfo");
  await list.page.waitForURL((url) => url.searchParams.get("scope") === "snsapi_userinfo");
  await list.filter("subscribed").selectOption("yes");
  await list.page.waitForURL((url) => url.searchParams.get("subscribed") === "yes");
  await list.filter("dir").selectOption("asc");
  await list.page.waitForURL((url) => url.searchParams.get("dir") === "asc");
  expect(list.params()).toEqual({ scope: "snsapi_userinfo", subscribed: "yes", dir: "asc" });
  const expected = USERS.filter((u) => u.scope === "snsapi_userinfo" && u.subscribed === true);
  await list.expectIds(ids(expected));
  await expect(list.page.getByTestId("user-count")).toHaveText(`筛选结果：本页 ${expected.length} 位`);

  await list.page.reload();
  await list.expectIds(ids(expected));
  await expect(list.filter("scope")).toHaveValue("snsapi_userinfo");
  await expect(list.filter("dir")).toHaveValue("asc");

  // Dates are Beijing calendar days, both ends included, chosen in one range picker (Chinese whatever the
  // browser's language) that applies at once: 2026-01-02 00:00 … 23:00 is users 24 … 47.
  const secondDay = newestFirst.filter((u) => u.id >= "e2e-024" && u.id <= "e2e-047");
  await list.open("?limit=10");
  await list.expectIds(ids(newestFirst.slice(0, 10)));
  await expect(list.dateInput("createdFrom")).toHaveAttribute("placeholder", "开始日期");
  await expect(list.dateInput("createdTo")).toHaveAttribute("placeholder", "结束日期");
  const picker = await list.openPicker("createdFrom");
  // On this phone-width screen the picker fits: one month, the quick ranges above it.
  const box = (await picker.locator(".ant-picker-panel-container").boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(list.page.viewportSize()!.width);
  await list.dateInput("createdFrom").fill("2026-01-02");
  await list.dateInput("createdFrom").press("Enter");
  await list.dateInput("createdTo").fill("2026-01-02");
  await list.dateInput("createdTo").press("Enter");
  await list.page.waitForURL((url) => url.searchParams.get("createdTo") === "2026-01-02");
  expect(list.params()).toEqual({ createdFrom: "2026-01-02", createdTo: "2026-01-02", limit: "10" });
  await list.expectIds(ids(secondDay.slice(0, 10)));
  await list.next.click();
  await list.page.waitForURL((url) => url.searchParams.has("after"));
  expect(list.params()).toMatchObject({ createdFrom: "2026-01-02", createdTo: "2026-01-02", limit: "10" });
  await list.expectIds(ids(secondDay.slice(10, 20)));
  await expect(list.dateInput("createdFrom")).toHaveValue("2026-01-02");
  await expect(list.dateInput("createdTo")).toHaveValue("2026-01-02");
  await list.page.reload();
  await list.expectIds(ids(secondDay.slice(10, 20)));
  await expect(list.dateInput("createdFrom")).toHaveValue("2026-01-02");

  // 今天 is Beijing's today, not the browser's.
  const loginPicker = await list.openPicker("loginFrom");
  await loginPicker
    .getByRole("listitem")
    .filter({ hasText: /^今天$/ })
    .click();
  const today = beijingToday();
  await list.page.waitForURL((url) => url.searchParams.get("loginFrom") === today);
  expect(list.params()).toEqual({
    createdFrom: "2026-01-02",
    createdTo: "2026-01-02",
    loginFrom: today,
    loginTo: today,
    limit: "10",
  });
  await expect(list.empty).toBeVisible();
});

test("filter by tag: the account's tags in a select, the tag in the URL", async ({ list }) => {
  await list.open();
  const options = list.filter("tag").locator("option");
  await expect(options.first()).toHaveText("全部");
  expect(await options.allTextContents()).toEqual(expect.arrayContaining(["VIP客户", "空标签"]));
  await list.filter("tag").selectOption({ label: "VIP客户" });
  await list.page.waitForURL((url) => url.searchParams.get("tag") === "90100");
  expect(list.params()).toEqual({ tag: "90100" });
  await list.expectIds(ids([...VIP].reverse()));
  await expect(list.filter("tag")).toHaveValue("90100");
  await list.open("?tag=90101");
  await expect(list.empty).toBeVisible();
  await list.open("?tag=vip");
  await expect(list.error).toContainText("标签");
});

test("row selection for bulk actions: a checkbox per row for admins, none for viewers", async ({
  adminList,
  browser,
  appOrigin,
  staffSessions,
}) => {
  await adminList.open();
  const boxes = adminList.page.getByRole("checkbox");
  // One per row, and select-all in the header.
  await expect(boxes).toHaveCount(51);
  const bulk = adminList.page.getByTestId("bulk-actions");
  // Nothing ticked: the bulk buttons say so by being disabled (issue 16: they looked enabled).
  await expect(adminList.page.getByTestId("selection-count")).toHaveText("未选择用户");
  for (const id of ["bulk-tag-add", "bulk-tag-remove", "bulk-block", "bulk-unblock"])
    await expect(bulk.getByTestId(id)).toBeDisabled();
  const all = adminList.page.getByRole("checkbox", { name: "全选本页" });
  await all.check();
  await expect(adminList.page.getByTestId("selection-count")).toHaveText("已选 50 位");
  await expect(bulk.getByTestId("bulk-block")).toBeEnabled();
  await all.uncheck();
  await expect(adminList.page.getByTestId("selection-count")).toHaveText("未选择用户");
  const first = adminList.rows
    .first()
    .getByRole("checkbox", { name: `选择 ${newestFirst[0]!.nickname ?? "微信用户"}` });
  await expect(first).toHaveAttribute("value", newestFirst[0]!.id);
  await expect(first).toHaveAttribute("form", "user-selection");
  await expect(adminList.page.locator("form#user-selection")).toHaveCount(1);
  await first.check();
  // The checked boxes are the selection form's: what the bulk actions will submit.
  const selected = await adminList.page
    .locator("form#user-selection")
    .evaluate((form) => new FormData(form as HTMLFormElement).getAll("uid"));
  expect(selected).toEqual([newestFirst[0]!.id]);
  await expect(adminList.page.getByTestId("selection-count")).toHaveText("已选 1 位");
  // Blocking asks first; cancelling changes nothing.
  await bulk.getByTestId("bulk-block").click();
  const confirm = adminList.page.getByRole("dialog");
  await expect(confirm).toContainText("拉黑选中的 1 位用户？");
  // antd spaces out a two-character button label ("取 消").
  await confirm.getByRole("button", { name: /^取\s?消$/ }).click();
  await expect(confirm).toBeHidden();
  await expect(adminList.page.getByTestId("bulk-result")).toHaveCount(0);

  const viewerContext = await browser.newContext({ baseURL: appOrigin });
  await viewerContext.addCookies(staffSessions.viewer);
  const viewer = await viewerContext.newPage();
  await viewer.goto("/admin/users");
  await expect(viewer.getByTestId("user-row")).toHaveCount(50);
  await expect(viewer.getByRole("checkbox")).toHaveCount(0);
  await expect(viewer.getByTestId("bulk-actions")).toHaveCount(0);
  await expect(viewer.getByTestId("staff-role")).toHaveAttribute("data-role", "viewer");
  await viewerContext.close();
});

test("列设置: columns hidden and shown again, remembered by this browser and by no other", async ({
  list,
  browser,
  appOrigin,
  staffSessions,
}) => {
  await list.open();
  await list.expectIds(ids(newestFirst.slice(0, 50)));
  const settingsButton = list.page.getByTestId("column-settings-button");
  const settings = list.page.getByTestId("column-settings");
  await expect(list.header("openid")).toBeVisible();
  await settingsButton.click();
  await settings.getByRole("checkbox", { name: "openid", exact: true }).uncheck();
  await settings.getByRole("checkbox", { name: "最近登录", exact: true }).uncheck();
  await expect(list.header("openid")).toHaveCount(0);
  await expect(list.header("最近登录")).toHaveCount(0);
  await expect(list.rows.first().getByTestId("user-openid")).toHaveCount(0);
  await expect(list.rows.first().getByTestId("user-last-login")).toHaveCount(0);
  await expect(list.header("unionid")).toBeVisible();
  await expect(list.rows.first().getByTestId("user-link")).toBeVisible();
  await expect(settingsButton).toHaveText("列设置（隐藏 2 列）");

  // Remembered: after a reload, and in another tab of this browser.
  await list.page.reload();
  await list.expectIds(ids(newestFirst.slice(0, 50)));
  await expect(list.header("openid")).toHaveCount(0);
  await expect(list.header("unionid")).toBeVisible();
  const tab = await list.page.context().newPage();
  await tab.goto("/admin/users");
  await expect(tab.getByTestId("user-row")).toHaveCount(50);
  await expect(tab.getByRole("columnheader", { name: "最近登录", exact: true })).toHaveCount(0);
  await tab.close();

  // Another browser (the same staff member) has every column.
  const other = await browser.newContext({ baseURL: appOrigin });
  await other.addCookies(staffSessions.viewer);
  const otherPage = await other.newPage();
  await otherPage.goto("/admin/users");
  await expect(otherPage.getByTestId("user-row")).toHaveCount(50);
  await expect(otherPage.getByRole("columnheader", { name: "openid", exact: true })).toBeVisible();
  await other.close();

  await settingsButton.click();
  await settings.getByTestId("column-settings-reset").click();
  await expect(list.header("openid")).toBeVisible();
  await expect(list.header("最近登录")).toBeVisible();
  await expect(settingsButton).toHaveText("列设置");
});

test("a bulk block WeChat refuses in part: who was refused is named, the rows are fetched again, the refused stay ticked", async ({
  adminList,
  databaseUrl,
  sim,
}) => {
  // e2e-119 becomes a follower the simulated account knows; e2e-118's openid is no follower of it, so
  // WeChat refuses it (49003), and the app asks again one at a time to tell the two apart.
  const [known, unknown] = [USERS[119]!, USERS[118]!];
  const follower = await sim.user("zhangsan");
  await execute(databaseUrl, `UPDATE "Identity" SET "openid" = ? WHERE "userId" = ?`, [follower.openid, known.id]);
  const page = adminList.page;
  const blacklist = async () =>
    ((await (await fetch(`${SIM_URL}/__sim/followers`)).json()) as { blacklist: string[] }).blacklist;

  await adminList.open();
  await adminList.expectIds(ids(newestFirst.slice(0, 50)));
  const knownRow = adminList.rows.nth(0);
  const unknownRow = adminList.rows.nth(1);
  expect(await knownRow.getAttribute("data-user-id")).toBe(known.id);
  await knownRow.getByRole("checkbox").check();
  await unknownRow.getByRole("checkbox").check();
  await expect(page.getByTestId("selection-count")).toHaveText("已选 2 位");

  const isBlacklist = (r: { url(): string }) => new URL(r.url()).pathname === "/api/admin/blacklist";
  const answered = page.waitForResponse(isBlacklist);
  // The list is asked for again once the answer is in (nothing else asks for it meanwhile).
  const again = page.waitForResponse((r) => isListData(new URL(r.url())));
  await page.getByTestId("bulk-block").click();
  await page.getByTestId("bulk-block-confirm").click();
  const answer = await answered;
  expect(answer.status()).toBe(422);
  expect(await answer.json()).toMatchObject({
    error: { applied: 1, refused: [{ userId: unknown.id, errcode: 49003 }] },
  });
  // Fetched again: the blocked person says so, the refused one does not and stays ticked.
  await again;
  const result = page.getByTestId("bulk-result");
  await expect(result).toHaveAttribute("data-ok", "0");
  await expect(result).toContainText(`${unknown.openid}：该 openid 不属于本公众号，数据未修改。（微信错误码 49003）`);
  await expect(result).toContainText("已成功处理 1 位，其余未修改。");
  await expect(knownRow.getByTestId("user-blacklisted")).toHaveText("已拉黑");
  await expect(unknownRow.getByTestId("user-blacklisted")).toHaveCount(0);
  await expect(page.getByTestId("selection-count")).toHaveText("已选 1 位");
  await expect(unknownRow.getByRole("checkbox")).toBeChecked();
  await expect(knownRow.getByRole("checkbox")).not.toBeChecked();
  expect(await blacklist()).toEqual([follower.openid]);

  // Unblocking the two: the same, the other way.
  await knownRow.getByRole("checkbox").check();
  const unblocked = page.waitForResponse(isBlacklist);
  await page.getByTestId("bulk-unblock").click();
  expect((await unblocked).status()).toBe(422);
  await expect(knownRow.getByTestId("user-blacklisted")).toHaveCount(0);
  await expect(page.getByTestId("selection-count")).toHaveText("已选 1 位");
  await expect(unknownRow.getByRole("checkbox")).toBeChecked();
  expect(await blacklist()).toEqual([]);
});

test("a bad URL gets a message and a way out, not an error page", async ({ list }) => {
  await list.open("?scope=everyone&createdFrom=2026-02-30");
  await expect(list.error).toContainText("授权范围");
  await expect(list.error).toContainText("注册开始日期");
  await list.error.getByTestId("reset-filters").click();
  await list.expectIds(ids(newestFirst.slice(0, 50)));
});

test("CSV export of the current filter: UTF-8 with BOM, Chinese header, quoting, formula guard", async ({ list }) => {
  await list.open("?scope=snsapi_userinfo&dir=asc");
  await expect(list.exportLink).toHaveAttribute("href", "/api/admin/users/export?scope=snsapi_userinfo&dir=asc");
  const [download] = await Promise.all([list.page.waitForEvent("download"), list.exportLink.click()]);
  expect(download.suggestedFilename()).toMatch(/^users-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = await fs.readFile(await download.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const records = parseCsv(bytes.subarray(3).toString("utf8"));
  expect(records[0]).toEqual([
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
  ]);
  const expected = USERS.filter((u) => u.scope === "snsapi_userinfo");
  expect(records.slice(1).map((r) => r[0])).toEqual(ids(expected));
  const byId = new Map(records.slice(1).map((r) => [r[0], r]));
  expect(byId.get("e2e-005")?.slice(1, 4)).toEqual(["快乐👨‍👩‍👧家", USERS[5]!.openid, ""]);
  expect(byId.get("e2e-000")?.slice(4, 9)).toEqual([
    "snsapi_userinfo",
    "是",
    "",
    "2026-01-01 00:00:00",
    "2026-01-01 00:00:00",
  ]);
  // A nickname that Excel would run as a formula is defused; a comma stays inside its cell.
  expect(byId.get("e2e-013")?.[1]).toBe("'=1+1");
  expect(byId.get("e2e-011")).toBeUndefined(); // base scope: filtered out
  const all = await list.page.request.get("/api/admin/users/export?q=VIP");
  expect(parseCsv((await all.text()).replace(/^\uFEFF/, ""))[1]?.[6]).toBe("VIP,大客户");
});

/** RFC 4180, enough for the test: quoted cells with "" and line breaks, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
      i++;
    } else cell += c;
  }
  if (cell !== "" || record.length > 0) records.push([...record, cell]);
  return records;
}
