// The cards console end to end (issue 14): an admin makes a coupon with a logo through 新建卡券 (the
// form's limits show as typed), WeChat's review (the simulator's reviewer, decided by the test) turns
// 审核中 into 已通过, the stock moves and the QR code is drawn; then a persona takes a code and a viewer
// redeems it at /admin/redeem on a phone: of two counters pressing 核销 at once one succeeds and the other
// is told 已核销 (40099); trying the code again says 已核销 too.
import type { Browser, Page } from "@playwright/test";
import { test as base, expect } from "../fixtures";
import { signInWithProfile } from "../flows";
import { WECHAT_PHONE } from "../support/env";
import { CARD_LOGO_PNG, cardsToThisApp, createCardByApi, reviewCard, takeCard } from "./cards";
import { StaffSignInPage, clearSignInAttempts, createStaffAccounts, type StaffKey } from "./staff";

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

// Several browsers each (a console per counter, the persona's phone) signing in: more than the default 30 s (a minute on a loaded machine).
test.describe.configure({ timeout: 180_000 });

const opened: Page[] = [];
test.afterEach(async () => {
  for (const page of opened.splice(0)) await page.context().close();
});

/** A console in a browser of its own, signed in as `key`, phone-sized unless `desktop`. */
async function staffPage(browser: Browser, appOrigin: string, key: StaffKey, desktop = false): Promise<Page> {
  const context = await browser.newContext({
    ...WECHAT_PHONE,
    ...(desktop ? { viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false } : {}),
    baseURL: appOrigin,
  });
  const page = await context.newPage();
  opened.push(page);
  await new StaffSignInPage(page, appOrigin).signInAs(key);
  return page;
}

test("create a coupon with a logo, see it reviewed, change its stock, draw its QR code", async ({
  browser,
  appOrigin,
}) => {
  const page = await staffPage(browser, appOrigin, "admin", true);
  await page.goto("/admin/cards");
  await expect(page.getByRole("heading", { name: "卡券", exact: true })).toBeVisible();
  await expect(page.getByTestId("card-empty")).toBeVisible();

  // The choices are labels around visually hidden radios: clicked as a person clicks them.
  await page.getByRole("radiogroup", { name: "卡券类型" }).getByText("代金券").click();
  await expect(page.getByTestId("card-type-CASH")).toBeChecked();
  await page.getByTestId("card-brand").fill("示例咖啡");
  // WeChat's limit as typed: 9 Chinese characters (27 bytes).
  await page.getByTestId("card-title").fill("这是一个特别特别长的卡券名称");
  await expect(page.getByTestId("card-title-error")).toContainText("卡券名称最多 9 个汉字");
  await page.getByTestId("card-title").fill("满百减十");
  await expect(page.getByTestId("card-title-error")).toBeHidden();
  await page.getByTestId("card-logo").setInputFiles(CARD_LOGO_PNG);
  await expect(page.getByTestId("card-logo-uploaded")).toBeVisible();
  await page.getByTitle("Color090").click();
  await expect(page.getByRole("radio", { name: "Color090" })).toBeChecked();
  await page.getByTestId("card-reduce-cost").fill("10");
  await page.getByTestId("card-least-cost").fill("100");
  await page.getByTestId("card-description").fill("全场通用，不与其他优惠同享。");
  const preview = page.getByTestId("card-preview");
  await expect(preview.getByTestId("card-preview-title")).toHaveText("满百减十");
  await expect(preview.getByTestId("card-preview-benefit")).toHaveText("减 ¥10（满 ¥100 可用）");
  await page.getByTestId("card-create").click();

  await expect(page.getByRole("heading", { name: "满百减十" })).toBeVisible();
  await expect(page.getByTestId("card-review")).toHaveText("审核中");
  await expect(page.getByTestId("card-qr-unavailable")).toBeVisible();
  const wxCardId = (await page.getByTestId("card-wx-id").textContent())!.trim();
  await reviewCard(wxCardId, true);
  // The page reads itself again while the review is pending.
  await expect(page.getByTestId("card-review")).toHaveText("已通过");

  await expect(page.getByTestId("card-stock")).toHaveText("100");
  await page.getByTestId("stock-amount").fill("30");
  await page.getByTestId("stock-remove").click();
  await expect(page.getByTestId("stock-result")).toHaveText("已减少 30 张库存。");
  await expect(page.getByTestId("card-stock")).toHaveText("70");
  await page.getByTestId("stock-amount").fill("500");
  await page.getByTestId("stock-remove").click();
  await expect(page.getByTestId("stock-result")).toContainText("库存不能小于 0");
  await expect(page.getByTestId("card-stock")).toHaveText("70");

  await page.getByTestId("card-qr-create").click();
  await expect(page.getByRole("img", { name: "满百减十 的领取二维码" })).toBeVisible();
  await expect(page.getByTestId("card-qr-png")).toHaveAttribute("href", /^data:image\/png;base64,/);
  await expect(page.getByTestId("card-offer-url")).toHaveText(new RegExp(`/cards/[^/]+$`));

  await page.getByTestId("back-link").click();
  const row = page.getByTestId("card-row").filter({ hasText: "满百减十" });
  await expect(row.getByTestId("card-review")).toHaveText("已通过");
  await expect(row.getByTestId("card-type")).toHaveText("代金券");
  await expect(row.getByTestId("card-quantity")).toHaveText("70");
});

test("a refused card shows WeChat's reason; deleting asks first", async ({ browser, appOrigin }) => {
  const page = await staffPage(browser, appOrigin, "admin", true);
  const card = await createCardByApi(page.request, appOrigin, "被拒的券");
  await reviewCard(card.wxCardId, false, "logo 与商户名称不符");
  await page.goto(`/admin/cards/${card.id}`);
  await expect(page.getByTestId("card-review")).toHaveText("未通过");
  await expect(page.getByTestId("card-refuse-reason")).toHaveText("logo 与商户名称不符");
  await page.getByTestId("card-delete").click();
  await page.getByTestId("card-delete-confirm").click();
  await expect(page.getByTestId("card-deleted")).toHaveText("已删除");
});

test("a persona's code is redeemed at the counter once; a second counter is told 已核销", async ({
  browser,
  appOrigin,
  me,
  consent,
  sim,
}) => {
  // The owner is a person of ours: signed in once on their phone.
  const userId = await signInWithProfile({ me, consent, sim }, "zhangsan");
  const persona = await sim.user("zhangsan");
  const admin = await staffPage(browser, appOrigin, "admin", true);
  const card = await createCardByApi(admin.request, appOrigin, "十元代金券");
  await reviewCard(card.wxCardId, true);
  const code = await takeCard(appOrigin, persona.openid, card.wxCardId);

  // Two counters on phones: a viewer, and an admin who looks the same code up.
  const counter = await staffPage(browser, appOrigin, "viewer");
  const other = await staffPage(browser, appOrigin, "admin");
  for (const p of [counter, other]) {
    await p.goto("/admin/redeem");
    await expect(p.getByRole("heading", { name: "核销" })).toBeVisible();
    await p.getByTestId("redeem-code").fill(code);
    await p.getByTestId("redeem-check").click();
    await expect(p.getByTestId("redeem-status")).toHaveText(/^可以核销/);
  }
  await expect(counter.getByTestId("redeem-card")).toContainText("十元代金券");
  await expect(counter.getByTestId("redeem-owner-link")).toHaveAttribute("href", `/admin/users/${userId}`);
  // No camera in this browser: the scan button is not offered, typing is enough.
  await expect(counter.getByTestId("redeem-scan")).toHaveCount(0);

  // Both counters press 核销 at once: WeChat lets one through, the other is told why in Chinese (40099).
  await Promise.all([counter, other].map((p) => p.getByTestId("redeem-consume").click()));
  for (const p of [counter, other])
    await expect(p.getByTestId("redeem-done").or(p.getByTestId("redeem-error"))).toBeVisible();
  const [winner, loser] = (await counter.getByTestId("redeem-done").isVisible()) ? [counter, other] : [other, counter];
  await expect(winner.getByTestId("redeem-done")).toContainText("核销成功");
  await expect(loser.getByTestId("redeem-done")).toHaveCount(0);
  await expect(loser.getByTestId("redeem-error")).toContainText("这张券已经核销过了");
  await expect(loser.getByTestId("redeem-error")).toContainText("40099");
  await expect(loser.getByTestId("redeem-status")).toHaveText(/^不能核销：已核销/);

  // The winner tries the same code again: 已核销, and no 核销 button.
  await winner.getByTestId("redeem-next").click();
  await winner.getByTestId("redeem-code").fill(code);
  await winner.getByTestId("redeem-check").click();
  await expect(winner.getByTestId("redeem-status")).toHaveText(/^不能核销：已核销/);
  await expect(winner.getByTestId("redeem-consume")).toHaveCount(0);

  // The card's page counts it.
  await admin.goto(`/admin/cards/${card.id}`);
  await expect(admin.getByTestId("card-taken")).toHaveText("1");
  await expect(admin.getByTestId("card-redeemed")).toHaveText("1");
});
