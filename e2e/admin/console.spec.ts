// The console's frame as a new operator meets it (issue 16): on a phone the menu is a drawer, not a bar
// that breaks "仪表/盘" one character per line; the page scrolls in the document; secondary text is
// readable (WCAG AA contrast); a Chinese 404 in the console's look; and a favicon, so no page logs a 404.
import { expect, type Page } from "@playwright/test";
import { test as base } from "../fixtures";
import { contrast } from "./contrast";
import { ConsoleShell, StaffSignInPage, clearSignInAttempts, createStaffAccounts } from "./staff";

const test = base.extend<{ console: Page }, { staffAccounts: void }>({
  staffAccounts: [
    async ({ databaseUrl }, provide) => {
      createStaffAccounts(databaseUrl);
      await provide();
    },
    { scope: "worker" },
  ],
  console: async ({ page, appOrigin, databaseUrl, staffAccounts: _ }, provide) => {
    await clearSignInAttempts(databaseUrl);
    await new StaffSignInPage(page, appOrigin).signInAs("admin");
    await provide(page);
  },
});

test("on a phone the menu is a drawer whose labels keep to one line, and the page scrolls in the document", async ({
  console: page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/admin/users");
  // No side menu taking the screen; one button opens the drawer.
  await expect(page.locator(".wcuc-sider").first()).toBeHidden();
  await page.getByTestId("nav-drawer-open").click();
  const drawer = page.getByTestId("nav-drawer");
  for (const label of ["仪表盘", "用户", "粉丝同步", "标签", "黑名单", "自动回复"]) {
    const link = drawer.getByRole("link", { name: label, exact: true });
    await expect(link).toBeVisible();
    // One line: an inline box broken over n lines has n client rects.
    const lines = await link.evaluate((el) => el.getClientRects().length);
    expect(lines, label).toBe(1);
  }
  await drawer.getByRole("link", { name: "仪表盘", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/admin");
  await expect(drawer).toBeHidden();
  await expect(page.getByTestId("breadcrumb")).toContainText("仪表盘");
  // The document scrolls (not a fixed box inside it).
  const scrolls = await page.evaluate(() => document.scrollingElement!.scrollHeight > window.innerHeight);
  expect(scrolls).toBe(true);
  await page.mouse.wheel(0, 600);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
});

test("on a desktop the side menu collapses and the breadcrumb names where one is", async ({ console: page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/admin/users");
  const menu = page.getByRole("navigation", { name: "管理后台" }).first();
  await expect(menu.getByRole("link", { name: "用户", exact: true })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("breadcrumb")).toHaveText(/管理后台\s*\/\s*用户/);
  const wide = await page.locator("aside.wcuc-sider").evaluate((el) => el.getBoundingClientRect().width);
  await page.getByRole("button", { name: "收起菜单" }).click();
  await expect
    .poll(() => page.locator("aside.wcuc-sider").evaluate((el) => el.getBoundingClientRect().width))
    .toBeLessThan(wide);
  await expect(new ConsoleShell(page).role).toHaveAttribute("data-role", "admin");
});

test("secondary text is readable: at least 4.5:1 against its background", async ({ console: page }) => {
  await page.goto("/admin/users");
  await expect(page.getByTestId("user-count")).toBeVisible();
  const samples = await page.evaluate(() => {
    const pick = (el: Element | null) => {
      if (!el) return null;
      let bg = "rgb(255, 255, 255)";
      for (let n: Element | null = el; n; n = n.parentElement) {
        const c = getComputedStyle(n).backgroundColor;
        if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") {
          bg = c;
          break;
        }
      }
      return { text: el.textContent?.slice(0, 20), fg: getComputedStyle(el).color, bg };
    };
    return [
      pick(document.querySelector('[data-testid="user-count"]')),
      pick(document.querySelector(".ant-breadcrumb li:first-child")),
      pick(document.querySelector('[data-testid="staff-email"]')),
    ].filter((s) => s !== null);
  });
  expect(samples.length).toBe(3);
  for (const s of samples) expect(contrast(s.fg, s.bg), `${s.text}: ${s.fg} on ${s.bg}`).toBeGreaterThanOrEqual(4.5);
});

test("an unknown console address gets a Chinese 404 in the console's look; no page asks for a missing favicon", async ({
  console: page,
}) => {
  const missing: string[] = [];
  page.on("response", (response) => {
    if (response.status() === 404 && /favicon|icon/.test(new URL(response.url()).pathname))
      missing.push(response.url());
  });
  const response = await page.goto("/admin/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("console-not-found")).toContainText("页面不存在");
  await expect(page.getByText("This page could not be found")).toHaveCount(0);
  await page.getByRole("link", { name: "返回仪表盘" }).click();
  await page.waitForURL((url) => url.pathname === "/admin");
  const icon = await page.request.get((await page.locator('link[rel="icon"]').first().getAttribute("href"))!);
  expect(icon.status()).toBe(200);
  expect(missing).toEqual([]);

  // The end user's side: Chinese too.
  const endUser = await page.goto("/no-such-page");
  expect(endUser?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toContainText("页面不存在");
});

test("after first-run setup, sign-in says the admin was created and has the email filled in", async ({ page }) => {
  await page.goto("/admin/signin?setup=done&email=first%40example.com");
  await expect(page.getByTestId("setup-done")).toHaveText("管理员已创建，请输入刚才设置的密码登录。");
  await expect(page.getByLabel("邮箱")).toHaveValue("first@example.com");
  await page.goto("/admin/signin");
  await expect(page.getByTestId("setup-done")).toHaveCount(0);
  await expect(page.getByLabel("邮箱")).toHaveValue("");
});
