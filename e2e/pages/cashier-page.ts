import { expect, type Locator, type Page } from "@playwright/test";

/**
 * The cashier (/pay/<id>) and, against the simulator, its WeixinJSBridge stand-in's pay sheet
 * (simulator/pay/bridge.ts: 支付 / 取消 / 失败).
 */
export class CashierPage {
  readonly amount: Locator;
  readonly description: Locator;
  readonly payButton: Locator;
  readonly result: Locator;
  readonly payAgain: Locator;
  readonly refused: Locator;
  readonly sheet: Locator;
  readonly sheetAmount: Locator;

  constructor(readonly page: Page) {
    this.amount = page.getByTestId("pay-amount");
    this.description = page.getByTestId("pay-description");
    this.payButton = page.getByTestId("pay-button");
    this.result = page.getByTestId("pay-result");
    this.payAgain = page.getByTestId("pay-again");
    this.refused = page.getByTestId("pay-refused");
    this.sheet = page.getByTestId("sim-pay-sheet");
    this.sheetAmount = page.getByTestId("sim-pay-amount");
  }

  /** The order's id, from the address the page is on. */
  orderId(): string {
    const id = /\/pay\/([^/?#]+)/.exec(this.page.url())?.[1];
    if (!id) throw new Error(`not on a cashier: ${this.page.url()}`);
    return id;
  }

  async waitForLoaded(amount: string): Promise<void> {
    await this.page.waitForURL(/\/pay\/[^/]+$/);
    await expect(this.amount).toHaveText(amount);
  }

  /** 立即支付 (or 重新支付): the simulator's pay sheet opens with the amount. */
  async startPayment(amount: string, button: Locator = this.payButton): Promise<void> {
    await button.click();
    await expect(this.sheet).toBeVisible();
    await expect(this.sheetAmount).toHaveText(amount);
  }

  /** The payer's choice in WeChat's pay sheet. */
  async choose(choice: "confirm" | "cancel" | "fail"): Promise<void> {
    await this.page.getByTestId(`sim-pay-${choice}`).click();
    await expect(this.sheet).toHaveCount(0);
  }

  async backToOrders(): Promise<void> {
    await this.page.getByTestId("pay-orders").click();
    await this.page.waitForURL(/\/me\/orders$/);
  }
}

/** 我的订单 (/me/orders). */
export class MyOrdersPage {
  readonly orders: Locator;

  constructor(readonly page: Page) {
    this.orders = page.getByTestId("order");
  }

  async open(): Promise<void> {
    await this.page.goto("/me/orders");
    await this.page.waitForURL(/\/me\/orders$/);
  }

  order(id: string): Locator {
    return this.page.locator(`[data-testid="order"][data-order-id="${id}"]`);
  }

  status(id: string): Locator {
    return this.order(id).getByTestId("order-status");
  }
}
