// The cashier in WeChat's browser against the simulator's WeChat Pay: 体验支付 ¥0.01 from /me opens the
// cashier, 立即支付 opens WeChat's pay sheet (the simulator's WeixinJSBridge stand-in, which checks the
// server's paySign), and 支付成功 shows only once our books say paid (WeChat Pay's notification); the
// order then reads 已支付 in 我的订单. A cancelled payment can be paid again with the same prepay_id, and
// someone else's order is refused on the cashier.
import { expect, test as base } from "../fixtures";
import { CashierPage, MyOrdersPage } from "../pages/cashier-page";

const test = base.extend<{ cashier: CashierPage; myOrders: MyOrdersPage }>({
  cashier: async ({ page }, provide) => provide(new CashierPage(page)),
  myOrders: async ({ page }, provide) => provide(new MyOrdersPage(page)),
});

test.beforeEach(async ({ sim }) => {
  await sim.selectUser("zhangsan");
});

test("体验支付 ¥0.01 from /me: paid in the simulator's bridge, 支付成功, and 已支付 in 我的订单", async ({
  me,
  cashier,
  myOrders,
  page,
}) => {
  await me.open();
  await page.getByTestId("trial-pay").click();
  await cashier.waitForLoaded("¥0.01");
  await expect(cashier.description).toHaveText("体验支付");
  const id = cashier.orderId();

  await cashier.startPayment("¥0.01");
  await cashier.choose("confirm");
  await expect(cashier.result).toHaveText("支付成功");

  await cashier.backToOrders();
  await expect(myOrders.status(id)).toHaveText("已支付");
  await expect(myOrders.order(id)).toContainText("¥0.01");
  await expect(myOrders.order(id).getByTestId("order-pay")).toHaveCount(0);
  await expect(myOrders.orders).toHaveCount(1);

  // 我的订单 is reached from /me too.
  await me.open();
  await page.getByTestId("my-orders").click();
  await expect(myOrders.status(id)).toHaveText("已支付");
});

test("a cancelled payment is 已取消 and can be paid again; the order stays 待支付 until then", async ({
  me,
  cashier,
  myOrders,
  page,
  sim,
}) => {
  await me.open();
  await page.getByTestId("trial-pay").click();
  await cashier.waitForLoaded("¥0.01");
  const id = cashier.orderId();

  await cashier.startPayment("¥0.01");
  await cashier.choose("cancel");
  await expect(cashier.result).toHaveText("已取消");

  await myOrders.open();
  await expect(myOrders.status(id)).toHaveText("待支付");
  await myOrders.order(id).getByTestId("order-pay").click();
  await cashier.waitForLoaded("¥0.01");

  await cashier.startPayment("¥0.01");
  await cashier.choose("fail");
  await expect(cashier.result).toHaveText("支付失败");

  await cashier.startPayment("¥0.01", cashier.payAgain);
  await cashier.choose("confirm");
  await expect(cashier.result).toHaveText("支付成功");
  // One prepay for the three attempts: the stored prepay_id was reused.
  const prepays = await sim.requests("/v3/pay/transactions/jsapi");
  expect(prepays).toHaveLength(1);
});

test("someone else's order is refused on the cashier, with nothing of it shown", async ({
  me,
  cashier,
  page,
  sim,
  appOrigin,
}) => {
  await me.open();
  await page.getByTestId("trial-pay").click();
  await cashier.waitForLoaded("¥0.01");
  const id = cashier.orderId();

  await me.open();
  await me.logout();
  await sim.selectUser("lisi");
  await page.goto(`${appOrigin}/pay/${id}`);
  await expect(cashier.refused).toBeVisible();
  await expect(page.getByTestId("pay-refused-message")).toHaveText(/不属于当前微信用户/);
  await expect(page.getByText("体验支付")).toHaveCount(0);
  await expect(cashier.payButton).toHaveCount(0);
});
