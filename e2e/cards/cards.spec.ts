// The person's side of cards end to end (issue 14): a coupon made through the console's API and approved by
// WeChat's reviewer (the simulator's, decided by the test) is offered on /cards/<id>; a persona signs in
// silently, takes it with 领取到卡包 through wx.addCard (the simulator's stand-in, its cardExt signed by us
// with the wx_card ticket), the counter redeems the code, and the person's own list says 已使用. 取消 in
// WeChat's sheet takes nothing. No Content-Security-Policy violation on the way.
import type { Browser, Page } from "@playwright/test";
import { test as base, expect } from "../fixtures";
import { cardsToThisApp, createCardByApi, reviewCard } from "../admin/cards";
import { StaffSignInPage, clearSignInAttempts, createStaffAccounts } from "../admin/staff";
import { CHINESE } from "../flows";
import { SIM_URL } from "../support/env";

const test = base.extend<{ cardsApp: void }, { staffAccounts: void }>({
  staffAccounts: [
    async ({ databaseUrl }, provide) => {
      createStaffAccounts(databaseUrl);
      await provide();
    },
    { scope: "worker" },
  ],
  cardsApp: [
    async ({ appOrigin, databaseUrl, staffAccounts: _ }, provide) => {
      await clearSignInAttempts(databaseUrl);
      await cardsToThisApp(appOrigin);
      await provide();
    },
    { auto: true },
  ],
});

test.describe.configure({ timeout: 90_000 });

const opened: Page[] = [];
test.afterEach(async () => {
  for (const page of opened.splice(0)) await page.context().close();
});

/** The console in a desktop browser of its own, signed in as an admin. */
async function adminPage(browser: Browser, appOrigin: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: appOrigin, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  opened.push(page);
  await new StaffSignInPage(page, appOrigin).signInAs("admin");
  return page;
}

/** Console lines about the page's policy, from now on. */
function cspConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) lines.push(m.text());
  });
  return lines;
}

interface MyCards {
  cards: { code: string; stateLabel: string; usable: boolean; card: { id: string } }[];
}

async function myCards(page: Page): Promise<MyCards["cards"]> {
  const res = await page.request.get("/api/me/cards");
  expect(res.status()).toBe(200);
  return ((await res.json()) as MyCards).cards;
}

test("a persona takes an approved coupon on /cards/<id> through wx.addCard; redeemed, it shows 已使用", async ({
  page,
  browser,
  appOrigin,
  sim,
}) => {
  const csp = cspConsole(page);
  const admin = await adminPage(browser, appOrigin);
  const card = await createCardByApi(admin.request, appOrigin, "十元代金券");
  await sim.selectUser("lisi");

  // In review: shown, but not offered yet.
  await page.goto(`/cards/${card.id}`);
  await expect(page.getByTestId("coupon-title")).toHaveText("十元代金券");
  await expect(page.getByTestId("coupon-notice")).toContainText("审核");
  await expect(page.getByTestId("take-card")).toHaveCount(0);

  await reviewCard(card.wxCardId, true);
  // The app answers the card_pass_check push first and applies it just after: reload until it has.
  await expect
    .poll(async () => {
      await page.reload();
      return page.getByTestId("take-card").count();
    })
    .toBe(1);
  await expect(page.getByTestId("coupon-kind")).toHaveText("代金券");
  await expect(page.getByTestId("coupon-benefit")).toHaveText("减 ¥10（无门槛）");
  await expect(page.getByTestId("coupon-validity")).toContainText("至");
  const logo = page.getByTestId("coupon").getByRole("img");
  await expect(logo).toBeVisible();
  expect(await logo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

  await page.getByTestId("take-card").click();
  const sheet = page.getByTestId("sim-card-sheet");
  await expect(sheet.getByTestId("sim-card-title")).toHaveText("十元代金券");
  await sheet.getByTestId("sim-card-confirm").click();
  await expect(page.getByTestId("coupon-taken")).toContainText("已领取");
  await expect(page.getByTestId("my-cards-link")).toHaveAttribute("href", "/me/cards");

  // WeChat made one code for the persona; its user_get_card push makes it the person's here.
  const lisi = await sim.user("lisi");
  const simCodes = (await (await fetch(`${SIM_URL}/__sim/cards/codes?openid=${lisi.openid}`)).json()) as {
    code: string;
  }[];
  expect(simCodes).toHaveLength(1);
  await expect.poll(async () => (await myCards(page)).length).toBe(1);
  const [taken] = await myCards(page);
  expect(taken).toMatchObject({ code: simCodes[0]!.code, stateLabel: "可用", usable: true, card: { id: card.id } });
  // 我的卡券 shows it 可用.
  await page.getByTestId("my-cards-link").click();
  const mine = page.locator(`[data-testid="my-card"][data-code="${taken!.code}"]`);
  await expect(mine.getByTestId("my-card-state")).toHaveText("可用");

  // At the counter.
  const redeemed = await admin.request.post("/api/admin/redeem/consume", {
    headers: { origin: appOrigin },
    data: { code: taken!.code },
  });
  expect(redeemed.status(), await redeemed.text()).toBe(200);
  await expect.poll(async () => (await myCards(page))[0]?.stateLabel).toBe("已使用");
  await page.reload();
  await expect(mine.getByTestId("my-card-state")).toHaveText("已使用");

  // get_limit 2: one more may be taken; the page still offers it.
  await page.goto(`/cards/${card.id}`);
  await expect(page.getByTestId("take-card")).toBeVisible();
  expect(csp).toEqual([]);
});

test("取消 in WeChat's sheet takes nothing; an unknown card is explained", async ({
  page,
  browser,
  appOrigin,
  sim,
}) => {
  const csp = cspConsole(page);
  const admin = await adminPage(browser, appOrigin);
  const card = await createCardByApi(admin.request, appOrigin, "取消的券");
  await reviewCard(card.wxCardId, true);
  await sim.selectUser("zhangsan");

  await page.goto(`/cards/${card.id}`);
  await page.getByTestId("take-card").click();
  // The cardExt's get_limit place is given back at once (not when it expires in 5 minutes).
  const released = page.waitForResponse((r) => r.url().endsWith("/api/wechat/card-ext/release"));
  await page.getByTestId("sim-card-sheet").getByTestId("sim-card-cancel").click();
  expect((await released).ok()).toBe(true);
  await expect(page.getByTestId("sim-card-sheet")).toHaveCount(0);
  await expect(page.getByTestId("take-card")).toBeEnabled();
  await expect(page.getByTestId("coupon-taken")).toHaveCount(0);
  expect(await myCards(page)).toEqual([]);
  const codes = (await (await fetch(`${SIM_URL}/__sim/cards/codes?cardId=${card.wxCardId}`)).json()) as unknown[];
  expect(codes).toEqual([]);

  await page.goto("/cards/no-such-card");
  await expect(page.getByTestId("coupon-unknown")).toContainText(CHINESE);
  await expect(page.getByTestId("coupon-unknown")).toContainText("找不到这张券");
  expect(csp).toEqual([]);
});
