// The admin console's page of one person, /admin/users/[id], as staff see it: a WeChat user logs in on
// the phone (silent, then 完善资料), a staff member signs in to the console on a desktop browser and
// finds the profile, the identity with a still-refreshable web token (and never the token), the two
// logins, newest first, with the phone's user agent summarised, the follower placeholder, and every id
// in full with a copy button.
import { execFileSync } from "node:child_process";
import { devices, type Browser, type Locator, type Page } from "@playwright/test";
import { expect, test } from "../fixtures";
import { signInWithProfile } from "../flows";
import { WECHAT_USER_AGENT } from "../support/env";
import { expectFitsPhone } from "../support/layout";

const STAFF = { email: "viewer@example.com", password: "e2e-Staff-Passw0rd-7Rq2xW" };
// appEnv() in e2e/support/env.ts: the simulator's app.
const APP_ID = "wx5e1f0c0de0000001";

/** Creates (or resets) the staff member with the project's own CLI, in the database the app uses. */
function ensureStaff(databaseUrl: string): void {
  execFileSync(
    "node_modules/.bin/tsx",
    [
      "--conditions=react-server",
      "prisma/scripts/admin-create.ts",
      "--email",
      STAFF.email,
      "--role",
      "viewer",
      "--update",
      "--password-stdin",
    ],
    {
      input: `${STAFF.password}\n`,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ["pipe", "ignore", "pipe"],
    },
  );
}

/** /admin/users/[id] on a desktop browser, signed in as staff. */
class AdminUserPage {
  readonly nickname: Locator;
  readonly unionid: Locator;
  readonly scope: Locator;
  readonly userinfoAt: Locator;
  readonly subscribed: Locator;
  readonly identities: Locator;
  readonly logins: Locator;
  readonly backLink: Locator;
  readonly notFound: Locator;

  constructor(
    readonly page: Page,
    private readonly appOrigin: string,
  ) {
    this.nickname = page.getByTestId("user-nickname");
    this.unionid = page.getByTestId("user-unionid");
    this.scope = page.getByTestId("user-scope");
    this.userinfoAt = page.getByTestId("user-userinfo-at");
    this.subscribed = page.getByTestId("user-subscribed");
    this.identities = page.getByTestId("identity");
    this.logins = page.getByTestId("login");
    this.backLink = page.getByTestId("back-to-list");
    this.notFound = page.getByTestId("user-not-found");
  }

  static async signIn(browser: Browser, appOrigin: string): Promise<AdminUserPage> {
    const context = await browser.newContext({ ...devices["Desktop Chrome"], locale: "zh-CN", baseURL: appOrigin });
    const page = await context.newPage();
    await page.goto("/admin/signin");
    await page.getByLabel("邮箱").fill(STAFF.email);
    await page.getByLabel("密码").fill(STAFF.password);
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/admin") && url.pathname !== "/admin/signin");
    return new AdminUserPage(page, appOrigin);
  }

  async open(userId: string, from?: string): Promise<number | undefined> {
    const query = from === undefined ? "" : `?from=${encodeURIComponent(from)}`;
    const response = await this.page.goto(`${this.appOrigin}/admin/users/${encodeURIComponent(userId)}${query}`);
    return response?.status();
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

test("a person's page: profile, identity with a refreshable web token, logins newest first", async ({
  browser,
  me,
  consent,
  sim,
  appOrigin,
  databaseUrl,
}) => {
  const zhangsan = await sim.user("zhangsan");
  const userId = await signInWithProfile({ me, consent, sim }, "zhangsan");
  ensureStaff(databaseUrl);
  const admin = await AdminUserPage.signIn(browser, appOrigin);
  try {
    await admin.open(userId, "q=张&sort=createdAt");

    await expect(admin.nickname).toHaveText(zhangsan.nickname);
    await expect(admin.unionid).toHaveText(zhangsan.unionid ?? "—");
    await expect(admin.scope).toContainText("snsapi_userinfo");
    await expect(admin.userinfoAt).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await expect(admin.page.getByRole("img", { name: "头像", exact: true })).toHaveAttribute(
      "src",
      zhangsan.headimgurl,
    );

    await expect(admin.identities).toHaveCount(1);
    const identity = admin.identities.first();
    await expect(identity.getByTestId("identity-appid")).toHaveText(APP_ID);
    await expect(identity.getByTestId("identity-openid")).toHaveText(zhangsan.openid);
    await expect(identity.getByTestId("identity-refreshable")).toContainText("是");

    // Silent login first, then the consent login: newest first.
    await expect(admin.logins).toHaveCount(2);
    await expect(admin.logins.getByTestId("login-scope")).toHaveText(["资料授权", "静默授权"]);
    const ua = admin.logins.first().getByTestId("login-user-agent").locator("span");
    await expect(ua).toHaveText("iPhone 微信 8.0.50");
    await expect(ua).toHaveAttribute("title", WECHAT_USER_AGENT);
    await expect(admin.logins.first().getByTestId("login-ip")).not.toBeEmpty();

    await expect(admin.subscribed).toHaveText("未知");
    await expect(admin.page.getByTestId("follower-subscription")).toHaveText("未知（尚未同步）");

    // The list's query comes back with the link, on the list's own path.
    await expect(admin.backLink).toHaveAttribute("href", `/admin/users?${new URLSearchParams("q=张&sort=createdAt")}`);

    // Every id shown one way (issue 16 found three): ours, the unionid and the openid in full, each with a
    // copy button that copies the whole id.
    await admin.page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    for (const [testId, value] of [
      ["user-id", userId],
      ["user-unionid", zhangsan.unionid ?? ""],
      ["identity-openid", zhangsan.openid],
    ] as const) {
      const id = admin.page.getByTestId(testId);
      await expect(id).toHaveText(value);
      await expect(id).toHaveAttribute("title", value);
      await id.locator("xpath=..").getByRole("button", { name: "复制" }).click();
      await expect.poll(() => admin.page.evaluate(() => navigator.clipboard.readText())).toBe(value);
    }

    // On a phone the page is no wider than the screen: long ids break or scroll inside their table.
    await admin.page.reload();
    await expect(admin.nickname).toBeVisible();
    await expectFitsPhone(admin.page);

    // No web token (sealed or not) in what the browser received.
    const html = await admin.page.content();
    expect(html).not.toMatch(/TokenEnc|v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\./);
  } finally {
    await admin.close();
  }
});

test("an unknown id is a 404 with a way back to the list", async ({ browser, appOrigin, databaseUrl }) => {
  ensureStaff(databaseUrl);
  const admin = await AdminUserPage.signIn(browser, appOrigin);
  try {
    expect(await admin.open("c-no-such-user")).toBe(404);
    await expect(admin.notFound).toContainText("找不到这个用户");
    await expect(admin.notFound.getByRole("link", { name: "返回用户列表" })).toHaveAttribute("href", "/admin/users");
  } finally {
    await admin.close();
  }
});
