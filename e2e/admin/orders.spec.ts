// 订单 in the console (issue 13), on both databases: orders other servers made and 张三 paid in the simulator's
// WeChat Pay are listed newest first, filtered by state and by a ¥ range (the URL in fen), exported as the
// CSV of exactly that filter, and an order's page tells its story on the timeline.
import { readFile } from "node:fs/promises";
import { expect, type Page } from "@playwright/test";
import { test as base } from "../fixtures";
import { signInWithProfile } from "../flows";
import { signInAdmin } from "../followers/support";
import { createOrder, paidOrder } from "../support/pay";
import { clearSignInAttempts, createStaffAccounts } from "./staff";

const test = base.extend<{ admin: () => Promise<Page> }, { staffAccounts: void }>({
  staffAccounts: [
    async ({ databaseUrl }, provide) => {
      createStaffAccounts(databaseUrl);
      await provide();
    },
    { scope: "worker" },
  ],
  admin: async ({ browser, appOrigin, databaseUrl, staffAccounts: _ }, provide) => {
    await clearSignInAttempts(databaseUrl);
    const pages: Page[] = [];
    await provide(async () => {
      const page = await signInAdmin(browser, appOrigin);
      pages.push(page);
      return page;
    });
    for (const page of pages) await page.context().close();
  },
});

/** Picks `label` in the antd Select whose test id is `testId`. */
async function pick(page: Page, testId: string, label: string) {
  await page.getByTestId(testId).click();
  await page.locator(".ant-select-item-option", { hasText: label }).click();
}

test("orders are listed, filtered by state and ¥ amount, exported as CSV, and an order shows its timeline", async ({
  me,
  consent,
  sim,
  page,
  appOrigin,
  admin,
}) => {
  test.setTimeout(90_000);
  const userId = await signInWithProfile({ me, consent, sim }, "zhangsan");
  const monthly = await paidOrder(page.request, appOrigin, { userId, amount: 1234, description: "会员月卡" });
  const trial = await createOrder(page.request, appOrigin, { userId, amount: 50, description: "试用" });
  const yearly = await paidOrder(page.request, appOrigin, { userId, amount: 9900, description: "会员年卡" });

  const ops = await admin();
  await ops.goto("/admin/orders");
  const rows = ops.getByTestId("order-row");
  await expect(rows).toHaveCount(3);
  // Newest first, amounts in yuan, states in Chinese.
  await expect(rows.nth(0)).toContainText(yearly.outTradeNo);
  await expect(rows.nth(0).getByTestId("order-amount")).toHaveText("¥99.00");
  await expect(rows.nth(0).getByTestId("order-state")).toHaveText("已支付");
  await expect(rows.nth(1).getByTestId("order-state")).toHaveText("待支付");
  await expect(rows.nth(1)).toContainText(trial.outTradeNo);

  await pick(ops, "filter-state", "已支付");
  await ops.getByTestId("filter-submit").click();
  await expect(ops).toHaveURL(/\/admin\/orders\?state=paid$/);
  await expect(rows).toHaveCount(2);

  // ¥10 – ¥50 is 1000–5000 fen: the monthly card only.
  await ops.getByTestId("filter-min").fill("10");
  await ops.getByTestId("filter-max").fill("50");
  await ops.getByTestId("filter-submit").click();
  await expect(ops).toHaveURL(/\/admin\/orders\?state=paid&minAmount=1000&maxAmount=5000$/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(monthly.outTradeNo);

  // The CSV of exactly this filter: BOM, yuan with two decimals.
  const [download] = await Promise.all([ops.waitForEvent("download"), ops.getByTestId("export-csv").click()]);
  expect(download.suggestedFilename()).toMatch(/^orders-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = await readFile((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString("utf8").split("\r\n");
  expect(lines[0]).toMatch(/^订单ID,商户订单号,微信支付订单号,状态,金额（元）/);
  expect(lines.slice(1, -1)).toHaveLength(1);
  expect(lines[1]).toContain(`${monthly.id},${monthly.outTradeNo},4200`);
  expect(lines[1]).toContain(",已支付,12.34,0.00,会员月卡,");

  // The order's page: what it is, and how it got here.
  await rows.first().getByTestId("order-link").click();
  await expect(ops.getByRole("heading", { name: "会员月卡" })).toBeVisible();
  await expect(ops.getByTestId("order-summary").getByTestId("order-amount")).toHaveText("¥12.34");
  await expect(ops.getByTestId("order-refundable")).toHaveText("¥12.34");
  const timeline = ops.getByTestId("timeline-entry");
  await expect(timeline.first()).toContainText("创建订单");
  await expect(ops.getByTestId("order-timeline")).toContainText("支付成功");
  // Back to the very view it came from.
  await ops.getByTestId("back-to-list").click();
  await expect(ops).toHaveURL(/\/admin\/orders\?state=paid&minAmount=1000&maxAmount=5000$/);
});

test("an admin refunds part of an order from its page; more than is left is refused with what is; the payer sees it in 我的订单", async ({
  me,
  consent,
  sim,
  page,
  appOrigin,
  admin,
}) => {
  test.setTimeout(90_000);
  const userId = await signInWithProfile({ me, consent, sim }, "zhangsan");
  const order = await paidOrder(page.request, appOrigin, { userId, amount: 1234, description: "会员月卡" });
  const ops = await admin();
  // The refund form's fields (the refunds table below has cells with the same test ids).
  const form = ops.getByRole("dialog", { name: "退款" });
  await ops.goto(`/admin/orders/${order.id}`);
  await expect(ops.getByTestId("order-refundable")).toHaveText("¥12.34");

  // ¥5.00 back, for a reason, confirmed.
  await ops.getByTestId("refund-open").click();
  await expect(ops.getByTestId("refund-refundable")).toHaveText("可退金额：¥12.34");
  await form.getByTestId("refund-amount").fill("5");
  await form.getByTestId("refund-reason").fill("少发一件");
  await ops.getByTestId("refund-submit").click();
  await ops.getByTestId("refund-confirm").click();
  await expect(ops.getByTestId("refund-done")).toHaveText("已提交退款 ¥5.00");
  await expect(ops.getByTestId("refund-row")).toHaveCount(1);
  await expect(ops.getByTestId("refund-row").getByTestId("refund-by")).toHaveText("admin@e2e.example");
  await expect(ops.getByTestId("refund-row").getByTestId("refund-reason")).toHaveText("少发一件");
  await expect(ops.getByTestId("order-refundable")).toHaveText("¥7.34");
  // The simulator's WeChat Pay completes it and notifies: 部分退款, ¥5.00 back.
  await expect
    .poll(async () => {
      await ops.reload();
      return ops.getByTestId("order-summary").getByTestId("order-state").textContent();
    })
    .toBe("部分退款");
  await expect(ops.getByTestId("order-refunded")).toHaveText("¥5.00");
  await expect(ops.getByTestId("order-timeline")).toContainText("申请退款 ¥5.00");

  // The form refuses more than it shows …
  await ops.getByTestId("refund-open").click();
  await form.getByTestId("refund-amount").fill("8");
  await form.getByTestId("refund-reason").fill("再退一些");
  await ops.getByTestId("refund-submit").click();
  await expect(ops.getByText("不能超过可退金额 ¥7.34")).toBeVisible();
  // … and the server refuses what another admin's refund (meanwhile, ¥7.00) left too little for.
  const other = await ops.request.post(`/api/admin/orders/${order.id}/refunds`, {
    headers: { origin: appOrigin },
    data: { amount: 700, reason: "另一位管理员" },
  });
  expect(other.status(), await other.text()).toBe(201);
  await form.getByTestId("refund-amount").fill("5");
  await ops.getByTestId("refund-submit").click();
  await ops.getByTestId("refund-confirm").click();
  await expect(ops.getByTestId("refund-error")).toHaveText("退款金额超过订单可退金额（可退 34 分，申请 500 分）。");
  await ops.keyboard.press("Escape");
  await ops.reload();
  await expect(ops.getByTestId("refund-row")).toHaveCount(2);
  await expect(ops.getByTestId("order-refundable")).toHaveText("¥0.34");

  // The payer sees it on their side, in 我的订单: the order partly refunded, the ¥5.00 given back and why.
  await page.goto("/me/orders");
  const mine = page.locator(`[data-testid="order"][data-order-id="${order.id}"]`);
  await expect(mine.getByTestId("order-status")).toHaveText("部分退款");
  await expect(mine.getByTestId("order-refunds")).toContainText("退款 ¥5.00 · 已退款 · 少发一件");
});
