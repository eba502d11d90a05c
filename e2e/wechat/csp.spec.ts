// The Content-Security-Policy (lib/csp.ts, set by proxy.ts) in a real browser: every page of the app,
// the person's and the console's, loads and works under its policy with no violation reported; each
// request carries a fresh nonce that Next.js put on its scripts; a script written into a page does not run.
import { type Page } from "@playwright/test";
import { expect, test as base } from "../fixtures";
import { signInWithProfile } from "../flows";
import { StaffSignInPage, clearSignInAttempts, createStaffAccounts } from "../admin/staff";

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

test("every page of the person's and of the console loads under its policy with no violation", async ({
  page,
  me,
  consent,
  sim,
  staff,
}) => {
  test.setTimeout(120_000);
  const log = await ViolationLog.attach(page);

  // The person's pages. /me after a login with a profile (its avatar comes from the simulator).
  await visit(page, log, "/", async (p) => expect(p.locator("body")).not.toBeEmpty());
  const userId = await signInWithProfile({ me, consent, sim }, "zhangsan");
  await expect(me.avatarImage).toBeVisible();
  expect(await me.avatarImage.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  const mePolicy = await visit(page, log, "/me", () => me.waitForLoaded());
  expect(nonceOf(mePolicy)).not.toBeNull();
  // Hydrated under the policy: the JS-SDK's config was fetched and signed (only React could do that).
  await expect(page.getByTestId("jssdk-status")).toHaveAttribute("data-state", "signed");
  await visit(page, log, "/auth/error?code=internal", async (p) => expect(p.locator(".weui-msg")).toBeVisible());
  await visit(page, log, "/auth/open-in-wechat", async (p) => expect(p.locator(".weui-msg")).toBeVisible());
  await visit(page, log, "/auth/snapshot", async (p) => expect(p.locator(".weui-msg")).toBeVisible());
  await visit(page, log, "/login/qr", async (p) => expect(p.locator("img").first()).toBeVisible());

  // The console (on a desktop-sized window, where its menu is a side bar): sign-in, then every page.
  await page.setViewportSize({ width: 1280, height: 800 });
  await visit(page, log, "/admin/signin", async () => expect(staff.submit).toBeVisible());
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
  ];
  for (const [path, name] of pages) await visit(page, log, path, heading(name));
  await visit(page, log, "/admin/no-such-page", async (p) =>
    expect(p.getByTestId("console-not-found")).toContainText("页面不存在"),
  );
  // A channel QR code's page, made as an admin makes one.
  await page.goto("/admin/qrcodes");
  await page.getByTestId("qrcode-name").fill("CSP 海报");
  await page.getByTestId("qrcode-scene").fill(`csp-${Date.now().toString(36)}`);
  await page.getByTestId("qrcode-create").click();
  await expect(page.getByRole("heading", { name: "CSP 海报" })).toBeVisible();
  await visit(page, log, new URL(page.url()).pathname, async (p) => {
    await expect(p.getByRole("img", { name: "CSP 海报 的二维码" })).toBeVisible();
  });
  // The user list is a prerendered shell: a hash-based policy, no nonce, and its rows still load.
  const listPolicy = await visit(page, log, "/admin/users", async (p) => {
    await expect(p.getByTestId("user-list-loading")).toBeHidden();
    await expect(p.locator("[data-user-id]").first()).toBeVisible();
  });
  expect(nonceOf(listPolicy)).toBeNull();
  expect(listPolicy).toMatch(/script-src 'self' 'sha256-/);
  // Moving about inside the console without a full load keeps working under the shell's policy.
  await page.getByRole("link", { name: "仪表盘", exact: true }).first().click();
  await expect(page.getByRole("heading", { name: "概览" }).first()).toBeVisible();
  await log.expectNone("a client-side navigation from the user list");
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
