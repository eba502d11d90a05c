// The dashboard as an operator reads it (issue 16): every donut's categories in full at a desktop's and a
// phone's width (they were cut to "…"), the token block in an operator's words with the technical
// details folded away, and the page scrolling in the document with the side menu staying in view.
import { execFileSync } from "node:child_process";
import { expect, type Page } from "@playwright/test";
import { test as base } from "../fixtures";
import { signInAdmin, syncFollowers } from "../followers/support";
import { clearSignInAttempts, createStaffAccounts } from "./staff";

const test = base.extend<{ admin: Page }, { staffAccounts: void }>({
  staffAccounts: [
    async ({ databaseUrl }, provide) => {
      createStaffAccounts(databaseUrl);
      await provide();
    },
    { scope: "worker" },
  ],
  admin: async ({ browser, appOrigin, databaseUrl, staffAccounts: _ }, provide) => {
    await clearSignInAttempts(databaseUrl);
    // People of every kind (both scopes, each sex, many provinces), as `npm run db:seed` makes them; then
    // a follower sync, which also makes the dashboard compute its figures anew (it never shows figures
    // from before a sync) and has the token server fetch a token.
    execFileSync("npm", ["run", "db:seed", "--silent", "--", "--users", "300", "--seed", "7"], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const page = await signInAdmin(browser, appOrigin);
    await syncFollowers(page);
    await provide(page);
    await page.context().close();
  },
});

/** Each donut's rendered texts, and whether each lies inside its chart. */
async function donutTexts(page: Page, testId: string) {
  const chart = page.getByTestId(testId);
  await expect(chart.locator("svg text").first()).toBeVisible();
  return chart.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return [...element.querySelectorAll("svg text")].map((text) => {
      const r = text.getBoundingClientRect();
      return {
        text: text.textContent ?? "",
        inside:
          r.left >= box.left - 0.5 &&
          r.right <= box.right + 0.5 &&
          r.top >= box.top - 0.5 &&
          r.bottom <= box.bottom + 0.5,
      };
    });
  });
}

/** The categories the dashboard's hidden table lists for a chart. */
async function categories(page: Page, testId: string): Promise<string[]> {
  return page.getByTestId(testId).locator("tbody th").allTextContents();
}

for (const size of [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]) {
  test(`every donut names each category in full at ${size.width}x${size.height}`, async ({ admin: page }) => {
    await page.setViewportSize(size);
    await page.goto("/admin");
    for (const [chart, table] of [
      ["chart-scopes", "table-scopes"],
      ["chart-sex", "table-sex"],
    ] as const) {
      const names = await categories(page, table);
      expect(names.length, table).toBeGreaterThanOrEqual(2);
      const texts = await donutTexts(page, chart);
      for (const t of texts) {
        // ECharts cuts a label that does not fit to "..." (or "…").
        expect(t.text, `${chart}: "${t.text}" was cut`).not.toMatch(/…|\.\.\./);
        expect(t.inside, `${chart}: "${t.text}" drawn outside its chart`).toBe(true);
      }
      // Each category with its count and share, e.g. "静默授权 180 人（60.0%）".
      for (const name of names)
        expect(
          texts.some((t) => new RegExp(`^${name} [\\d,]+ 人（[\\d.]+%）$`).test(t.text)),
          `${chart} shows "${name}" in full: ${texts.map((t) => t.text).join(" | ")}`,
        ).toBe(true);
    }
  });
}

test("the token block speaks an operator's words, with the technical details folded away", async ({ admin: page }) => {
  await page.goto("/admin");
  const card = page.getByTestId("token-status");
  await expect(card.getByRole("heading", { name: "微信接口令牌" })).toBeVisible();
  await expect(card.getByTestId("token-status-access_token")).toContainText("令牌状态");
  await expect(card.getByTestId("token-health").first()).toHaveText("正常");
  await expect(card.getByTestId("token-status-refresher")).toHaveText(/^自动刷新：/);
  // Counts with thousands separators against WeChat's daily limit.
  await expect(card.getByTestId("token-status-fetches")).toHaveText(/^\d+ 次 \/ 上限 (2,000|500,000)$/);

  // What a visitor reads without opening the details: no node ids, fingerprints, API or credential names.
  const details = card.getByTestId("token-status-details");
  await expect(card.getByTestId("token-status-leader")).toBeHidden();
  const visible = await card.evaluate((el) => (el as HTMLElement).innerText);
  expect(visible).not.toMatch(/access_token|jsapi_ticket|stable|classic|指纹|主节点|\b[0-9a-f]{8}\b|v\d+\b/);
  // The details are there for whoever debugs it.
  await details.getByText("技术详情").click();
  await expect(card.getByTestId("token-status-leader")).toBeVisible();
  await expect(details).toContainText(/指纹 [0-9a-f]{8}/);
});

test("on a desktop the dashboard scrolls in the document and the side menu stays in view", async ({ admin: page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/admin");
  await expect(page.getByTestId("chart-provinces").locator("svg")).toBeVisible();
  const sizes = await page.evaluate(() => ({
    document: document.scrollingElement!.scrollHeight,
    console: document.querySelector(".wcuc-console")!.getBoundingClientRect().height,
    window: window.innerHeight,
  }));
  // The document is what scrolls, and it is no taller than the console (nothing hidden stretches it).
  expect(sizes.document).toBeGreaterThan(sizes.window);
  expect(sizes.document).toBeLessThanOrEqual(sizes.console + 1);
  await page.evaluate(() => window.scrollTo(0, document.scrollingElement!.scrollHeight));
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  // At the very bottom the side menu is still where it was, all of it on screen.
  const menu = page.locator("aside.wcuc-sider .ant-layout-sider-children");
  await expect.poll(() => menu.evaluate((el) => el.getBoundingClientRect().top)).toBe(0);
  await expect(page.locator("aside.wcuc-sider").getByRole("link", { name: "群发", exact: true })).toBeInViewport();
});

test("with no province to show, the province card says why instead of drawing an empty axis", async ({
  browser,
  appOrigin,
  databaseUrl,
  staffAccounts: _,
}) => {
  await clearSignInAttempts(databaseUrl);
  // The simulator's followers only: a follower list carries no region.
  const page = await signInAdmin(browser, appOrigin);
  await syncFollowers(page);
  await page.goto("/admin");
  await expect(page.getByTestId("provinces-empty")).toContainText("还没有省份数据");
  await expect(page.getByTestId("chart-provinces")).toHaveCount(0);
  await page.context().close();
});
