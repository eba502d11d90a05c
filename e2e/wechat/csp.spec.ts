// The Content-Security-Policy (lib/csp.ts, set by proxy.ts) in a real browser: every page of the app,
// the person's and the console's, and every 404 and error page, loads and works under its policy with no
// violation reported; each request carries a fresh nonce that Next.js put on its scripts; a script written
// into a page does not run. The screens to show are read from app/ (every page.tsx, not-found.tsx and
// error.tsx): one added there fails the sweep until it is shown here.
import { readdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { type Page } from "@playwright/test";
import { expect, test as base } from "../fixtures";
import { signInWithProfile } from "../flows";
import { StaffSignInPage, clearSignInAttempts, createStaffAccounts } from "../admin/staff";
import { createCardByApi } from "../admin/cards";
import { sqliteFile } from "../support/database";
import { createOrder } from "../support/pay";
import { FIRST_RUN_DATABASE_URL, startFirstRunApp } from "../support/first-run-app";

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
  at: string;
}

/** Every securitypolicyviolation event and every console line about the policy, from the page's start. */
class ViolationLog {
  readonly consoleLines: string[] = [];

  constructor(readonly page: Page) {}

  static async attach(page: Page): Promise<ViolationLog> {
    const log = new ViolationLog(page);
    // Runs before any of the page's scripts (and is not subject to its policy).
    await page.addInitScript(() => {
      const seen: Violation[] = [];
      (window as unknown as { __csp: Violation[] }).__csp = seen;
      document.addEventListener("securitypolicyviolation", (e) =>
        seen.push({
          directive: e.effectiveDirective,
          blocked: e.blockedURI,
          sample: e.sample,
          at: `${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
        }),
      );
    });
    page.on("console", (m) => {
      if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) log.consoleLines.push(m.text());
    });
    return log;
  }

  async events(): Promise<Violation[]> {
    return this.page.evaluate(() => (window as unknown as { __csp?: Violation[] }).__csp ?? []);
  }

  /** Fails on anything reported so far (on the page now shown, and in the console since the start). */
  async expectNone(where: string): Promise<void> {
    expect(await this.events(), `violations on ${where}`).toEqual([]);
    expect(this.consoleLines, `console on ${where}`).toEqual([]);
  }
}

const test = base.extend<{ staff: StaffSignInPage }, { staffAccounts: void }>({
  staffAccounts: [
    async ({ databaseUrl }, provide) => {
      createStaffAccounts(databaseUrl);
      await provide();
    },
    { scope: "worker" },
  ],
  staff: async ({ page, appOrigin, databaseUrl, staffAccounts: _ }, provide) => {
    await clearSignInAttempts(databaseUrl);
    await provide(new StaffSignInPage(page, appOrigin));
  },
});

/** The nonce of a Content-Security-Policy header, or null for a hash-based one. */
function nonceOf(policy: string | undefined): string | null {
  return /'nonce-([^']+)'/.exec(policy ?? "")?.[1] ?? null;
}

/** Every page.tsx, not-found.tsx and error.tsx under app/, as paths from the checkout's root. */
function appScreens(dir = "app"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return appScreens(file);
    return /^(page|not-found|error|global-error)\.tsx$/.test(entry.name) ? [file] : [];
  });
}

/** The addresses a page.tsx answers, from its folders: route groups left out, [id] one segment, [...x] more. */
function routeOf(pageFile: string): { pattern: RegExp; rank: number } {
  const segments = path.posix
    .dirname(pageFile)
    .split("/")
    .slice(1)
    .filter((s) => !/^\(.*\)$/.test(s));
  let rank = 0;
  const parts = segments.map((segment) => {
    if (/^\[\.\.\..+\]$/.test(segment)) {
      rank += 2;
      return ".+";
    }
    if (/^\[.+\]$/.test(segment)) {
      rank += 1;
      return "[^/]+";
    }
    return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  return { pattern: new RegExp(`^/${parts.join("/")}$`), rank };
}

/** The page.tsx Next.js answers `pathname` with: of those whose folders match, the most specific. */
function pageFileOf(pathname: string): string {
  const matches = appScreens()
    .filter((f) => f.endsWith("/page.tsx"))
    .map((file) => ({ file, ...routeOf(file) }))
    .filter((r) => r.pattern.test(pathname))
    .sort((a, b) => a.rank - b.rank);
  expect(matches.length, `a page.tsx for ${pathname}`).toBeGreaterThan(0);
  return matches[0]!.file;
}

/** What the first-run test shows (it needs a server of its own); the main sweep shows the rest. */
const SHOWN_ON_FIRST_RUN = ["app/admin/setup/page.tsx", "app/admin/error.tsx", "app/error.tsx"];

/** Visits pages under the policy, each checked for violations, and remembers which screen of app/ each showed. */
class Sweep {
  readonly shown = new Set<string>();

  constructor(
    readonly page: Page,
    readonly log: ViolationLog,
  ) {}

  /**
   * Opens `path` (see visit()) and records the screens it showed: `shows` (a 404 or an error, and the page
   * that answered with it), or else the page.tsx that answers the address it ended on.
   */
  async visit(path: string, ready: (page: Page) => Promise<void>, shows?: string[]): Promise<string> {
    const policy = await visit(this.page, this.log, path, ready);
    for (const file of shows ?? [pageFileOf(new URL(this.page.url()).pathname)]) this.shown.add(file);
    return policy;
  }

  /** Records a screen shown other than by visit() (after a client-side move, a form's answer). */
  async saw(file: string, where: string): Promise<void> {
    await this.log.expectNone(where);
    this.shown.add(file);
  }
}

/** Opens `path`, checks its policy header, waits for `ready` and for the page to settle, and for no violation. */
async function visit(page: Page, log: ViolationLog, path: string, ready: (page: Page) => Promise<void>) {
  const response = await page.goto(path);
  expect(response, path).not.toBeNull();
  const policy = (await response!.allHeaders())["content-security-policy"];
  expect(policy, `${path} has a policy`).toContain("object-src 'none'");
  await ready(page);
  await page.waitForLoadState("networkidle");
  await log.expectNone(path);
  return policy!;
}

const heading = (name: string | RegExp) => async (page: Page) => {
  await expect(page.getByRole("heading", { name }).first()).toBeVisible();
};

test("every page of the person's and of the console, and their 404s, load under their policy with no violation", async ({
  page,
  me,
  consent,
  sim,
  staff,
  appOrigin,
}) => {
  // Long: every page of both sides, now with the cashier paid through the simulator's bridge and the card pages.
  test.setTimeout(180_000);
  const log = await ViolationLog.attach(page);
  const sweep = new Sweep(page, log);

  // The person's pages. /me after a login with a profile (its avatar comes from the simulator).
  await sweep.visit("/", async (p) => expect(p.locator("body")).not.toBeEmpty());
  const userId = await signInWithProfile({ me, consent, sim }, "zhangsan");
  await expect(me.avatarImage).toBeVisible();
  expect(await me.avatarImage.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  const mePolicy = await sweep.visit("/me", () => me.waitForLoaded());
  expect(nonceOf(mePolicy)).not.toBeNull();
  // Hydrated under the policy: the JS-SDK's config was fetched and signed (only React could do that).
  await expect(page.getByTestId("jssdk-status")).toHaveAttribute("data-state", "signed");
  // The cashier (体验支付 from /me) loads the simulator's WeixinJSBridge stand-in and pays through it
  // under its policy (the simulator's origin allowed there only), then 我的订单.
  await page.getByTestId("trial-pay").click();
  await page.waitForURL(/\/pay\/[^/]+$/);
  const cashierPolicy = await sweep.visit(new URL(page.url()).pathname, async (p) =>
    expect(p.getByTestId("pay-amount")).toHaveText("¥0.01"),
  );
  const scriptSrc = (policy: string) => /script-src ([^;]*)/.exec(policy)?.[1]?.split(" ") ?? [];
  expect(scriptSrc(cashierPolicy)).toContain(new URL(sim.url).origin);
  expect(scriptSrc(mePolicy)).not.toContain(new URL(sim.url).origin);
  await page.getByTestId("pay-button").click();
  await page.getByTestId("sim-pay-confirm").click();
  await expect(page.getByTestId("pay-result")).toHaveText("支付成功");
  await sweep.saw("app/(h5)/pay/[id]/page.tsx", "the cashier after paying");
  await sweep.visit("/me/orders", async (p) => expect(p.getByTestId("order-status")).toHaveText("已支付"));
  await sweep.visit("/me/cards", async (p) => expect(p.getByTestId("cards-empty")).toContainText("还没有领取卡券"));
  await sweep.visit("/auth/error?code=internal", async (p) => expect(p.locator(".weui-msg")).toBeVisible());
  await sweep.visit("/auth/open-in-wechat", async (p) => expect(p.locator(".weui-msg")).toBeVisible());
  await sweep.visit("/auth/snapshot", async (p) => expect(p.locator(".weui-msg")).toBeVisible());
  await sweep.visit("/login/qr", async (p) => expect(p.locator("img").first()).toBeVisible());

  // An address no route has: Next's prerendered 404, whose policy names its scripts by hash (and still
  // carries a nonce, should the 404 be rendered for the request). Its scripts run: 返回首页 moves on
  // without loading a document.
  const notFoundPolicy = await sweep.visit(
    "/no-such-page",
    async (p) => expect(p.getByTestId("not-found")).toContainText("页面不存在"),
    ["app/not-found.tsx"],
  );
  expect(notFoundPolicy).toMatch(/script-src 'nonce-[^']+' 'self' 'sha256-/);
  await page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));
  await page.getByRole("link", { name: "返回首页" }).click();
  await expect(page.getByTestId("login")).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await log.expectNone("a client-side move from the 404");

  // The console (on a desktop-sized window, where its menu is a side bar): sign-in, then every page.
  await page.setViewportSize({ width: 1280, height: 800 });
  await sweep.visit("/admin/signin", async () => expect(staff.submit).toBeVisible());
  await staff.signInAs("admin");
  await log.expectNone("the sign-in");
  const pages: [string, string | RegExp][] = [
    ["/admin", "概览"],
    ["/admin/users", "用户"],
    [`/admin/users/${userId}`, /张三|微信用户/],
    ["/admin/followers", "粉丝同步"],
    ["/admin/tags", "标签"],
    ["/admin/blacklist", "黑名单"],
    ["/admin/auto-replies", "自动回复"],
    ["/admin/menu", "自定义菜单"],
    ["/admin/qrcodes", "渠道二维码"],
    ["/admin/templates", "模板消息"],
    ["/admin/messages", "群发模板消息"],
    ["/admin/messages/new", "新建群发"],
    ["/admin/cards", "卡券"],
    ["/admin/redeem", "核销"],
  ];
  for (const [path, name] of pages) await sweep.visit(path, heading(name));
  // The orders (订单) and an order's page, for an order another server made for 张三.
  const order = await createOrder(page.request, appOrigin, { userId, amount: 1234, description: "CSP 订单" });
  await sweep.visit("/admin/orders", async (p) => {
    await expect(p.getByRole("heading", { name: "订单" }).first()).toBeVisible();
    await expect(p.getByTestId("order-row").filter({ hasText: order.outTradeNo })).toBeVisible();
  });
  await sweep.visit(`/admin/orders/${order.id}`, heading("CSP 订单"));
  // The console's 404s: an address under /admin that does not exist, setup once an admin exists, a person
  // who does not.
  const consoleNotFound = async (p: Page) => expect(p.getByTestId("console-not-found")).toContainText("页面不存在");
  await sweep.visit("/admin/no-such-page", consoleNotFound, [
    "app/admin/[...missing]/page.tsx",
    "app/admin/not-found.tsx",
  ]);
  await sweep.visit("/admin/setup", consoleNotFound, ["app/admin/not-found.tsx"]);
  await sweep.visit(
    "/admin/users/no-such-person",
    async (p) => expect(p.getByTestId("user-not-found")).toContainText("找不到这个用户"),
    ["app/admin/(console)/users/[id]/not-found.tsx"],
  );
  // A channel QR code's page, made as an admin makes one.
  await page.goto("/admin/qrcodes");
  await page.getByTestId("qrcode-name").fill("CSP 海报");
  await page.getByTestId("qrcode-scene").fill(`csp-${Date.now().toString(36)}`);
  await page.getByTestId("qrcode-create").click();
  await expect(page.getByRole("heading", { name: "CSP 海报" })).toBeVisible();
  await sweep.visit(new URL(page.url()).pathname, async (p) => {
    await expect(p.getByRole("img", { name: "CSP 海报 的二维码" })).toBeVisible();
  });
  // A coupon's page, made as the 新建卡券 form makes one (its logo shown from our copy).
  const card = await createCardByApi(page.request, appOrigin, "CSP 代金券");
  await sweep.visit(`/admin/cards/${card.id}`, async (p) => {
    await expect(p.getByRole("heading", { name: "CSP 代金券" })).toBeVisible();
    await expect(p.getByTestId("card-preview").getByRole("img", { name: "logo" })).toBeVisible();
  });
  // The person's page that offers it (signed in as zhangsan above): still in review, so no 领取 yet; its logo
  // from our copy.
  await sweep.visit(`/cards/${card.id}`, async (p) => {
    await expect(p.getByTestId("coupon-title")).toHaveText("CSP 代金券");
    await expect(p.getByTestId("coupon-notice")).toContainText("审核");
    expect(
      await p
        .getByTestId("coupon")
        .getByRole("img")
        .evaluate((img) => (img as HTMLImageElement).naturalWidth),
    ).toBeGreaterThan(0);
  });
  // A mass send's page: the templates fetched from WeChat (the simulator) with the templates page's
  // button, then a send made with the API 新建群发 calls, to everyone the user list has.
  await page.goto("/admin/templates");
  await page.getByTestId("template-refresh").click();
  await expect(page.getByTestId("template").first()).toBeVisible();
  await log.expectNone("fetching the templates");
  const { templates } = (await (await page.request.get("/api/admin/templates")).json()) as {
    templates: { templateId: string; title: string }[];
  };
  const template = templates.find((t) => t.title === "支付成功通知");
  expect(template, "the simulator's 支付成功通知").toBeDefined();
  const created = await page.request.post("/api/admin/message-jobs", {
    headers: { origin: appOrigin },
    data: {
      templateId: template!.templateId,
      data: {
        character_string1: { value: "CSP2026" },
        amount2: { value: "¥12.12" },
        time3: { value: "2026-12-12 00:00" },
      },
      recipients: { type: "query", query: "" },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { job } = (await created.json()) as { job: { id: string } };
  await sweep.visit(`/admin/messages/${job.id}`, async (p) => {
    await expect(p.getByRole("heading", { name: "群发：支付成功通知" })).toBeVisible();
    await expect(p.getByTestId("message-job")).toBeVisible();
  });
  // The user list is a prerendered shell: a hash-based policy, no nonce, and its rows still load.
  const listPolicy = await sweep.visit("/admin/users", async (p) => {
    await expect(p.getByTestId("user-list-loading")).toBeHidden();
    await expect(p.locator("[data-user-id]").first()).toBeVisible();
  });
  expect(nonceOf(listPolicy)).toBeNull();
  expect(listPolicy).toMatch(/script-src 'self' 'sha256-/);
  // Moving about inside the console without a full load keeps working under the shell's policy.
  await page.getByRole("link", { name: "仪表盘", exact: true }).first().click();
  await expect(page.getByRole("heading", { name: "概览" }).first()).toBeVisible();
  await sweep.saw("app/admin/(console)/page.tsx", "a client-side move from the user list");

  // Every screen of app/ was shown, here or by the first-run test below.
  const shown = [...new Set([...sweep.shown, ...SHOWN_ON_FIRST_RUN])].sort();
  expect(shown, "screens of app/ the sweeps show").toEqual(appScreens().sort());
});

test("first run: setup, and the error pages (of the person's and of the console), load under their policy with no violation", async ({
  page,
}) => {
  test.setTimeout(120_000);
  // A server of its own: nobody has used it yet (so it offers setup), and its database may be broken.
  const app = await startFirstRunApp();
  try {
    const log = await ViolationLog.attach(page);
    const sweep = new Sweep(page, log);
    await page.setViewportSize({ width: 1280, height: 800 });

    // The link from the server's log: the setup page with its form, then sign-in says the admin exists.
    expect(new URL(app.setupUrl).pathname).toBe("/admin/setup");
    await sweep.visit(app.setupUrl, heading("创建第一个管理员"));
    await page.getByLabel("管理员邮箱").fill("first@e2e.example");
    await page.getByLabel("密码（至少 12 个字符）").fill("csp-first-Password-1");
    await page.getByLabel("再次输入密码").fill("csp-first-Password-1");
    await page.getByRole("button", { name: "创建管理员" }).click();
    await expect(page.getByTestId("setup-done")).toBeVisible();
    await sweep.saw("app/admin/signin/page.tsx", "sign-in after setup");
    await page.getByLabel("密码").fill("csp-first-Password-1");
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.getByRole("heading", { name: "概览" }).first()).toBeVisible();
    await sweep.saw("app/admin/(console)/page.tsx", "the console after the first sign-in");

    // The error pages, as a database that lost a table makes them: the console's on 标签, the person's on /me
    // (which reads RevokedSession; signing in does not).
    const db = new Database(sqliteFile(FIRST_RUN_DATABASE_URL));
    try {
      db.pragma("busy_timeout = 5000");
      db.exec(`ALTER TABLE "Tag" RENAME TO "TagGone"; ALTER TABLE "RevokedSession" RENAME TO "RevokedSessionGone"`);
    } finally {
      db.close();
    }
    await sweep.visit(
      `${app.origin}/admin/tags`,
      async (p) => expect(p.getByTestId("console-error")).toContainText("页面加载出错"),
      ["app/admin/error.tsx"],
    );
    // /me signs in silently through the simulator first: the error page is the answer to the last hop.
    const meAnswer = page.waitForResponse((r) => r.url() === `${app.origin}/me` && r.status() === 500);
    await page.goto(`${app.origin}/me`);
    await expect(page.getByTestId("app-error")).toContainText("出错了");
    expect((await (await meAnswer).allHeaders())["content-security-policy"]).toMatch(/script-src 'nonce-/);
    await page.waitForLoadState("networkidle");
    await sweep.saw("app/error.tsx", "the person's error page");

    expect([...sweep.shown].filter((f) => SHOWN_ON_FIRST_RUN.includes(f)).sort()).toEqual(
      [...SHOWN_ON_FIRST_RUN].sort(),
    );
  } finally {
    await app.stop();
  }
});

test("each page request gets a fresh nonce, and Next.js's scripts carry it", async ({ page }) => {
  const nonces: string[] = [];
  for (let i = 0; i < 3; i++) {
    const response = await page.goto("/auth/error?code=internal");
    const nonce = nonceOf((await response!.allHeaders())["content-security-policy"]);
    expect(nonce).not.toBeNull();
    nonces.push(nonce!);
    const onScripts = await page.evaluate(() =>
      [...document.querySelectorAll("script")].map((s) => (s as HTMLScriptElement).nonce),
    );
    expect(onScripts.length).toBeGreaterThan(0);
    expect(new Set(onScripts)).toEqual(new Set([nonce]));
  }
  expect(new Set(nonces).size).toBe(3);
  for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
});

// As a stored or reflected XSS would: markup in the page's own HTML, served with the page's own headers.
const INJECTED =
  `<script>window.__injected = (window.__injected || []).concat("script")</script>` +
  `<img src="data:," onerror="window.__injected = (window.__injected || []).concat('handler')">`;

for (const path of ["/auth/error?code=internal", "/"]) {
  test(`a script written into ${path} does not run, and the policy reports it`, async ({ page }) => {
    const log = await ViolationLog.attach(page);
    const pathname = path.split("?")[0];
    await page.route(
      (url) => url.pathname === pathname,
      async (route) => {
        const response = await route.fetch();
        const html = (await response.text()).replace(/<body[^>]*>/, (body) => body + INJECTED);
        expect(html).toContain(INJECTED);
        await route.fulfill({ response, body: html });
      },
    );
    await page.goto(path);
    await expect(page.locator("h1").first()).toBeVisible();
    await expect
      .poll(async () => (await log.events()).map((v) => v.directive).sort())
      .toEqual(["script-src-attr", "script-src-elem"]);
    // The script would have run as it was parsed, the handler as the image failed: both are past.
    expect(await page.evaluate(() => (window as unknown as { __injected?: string[] }).__injected)).toBeUndefined();
  });
}
