/**
 * The WeixinJSBridge stand-in in a real browser: a page on another origin (the cashier's place) loads
 * /__sim/pay/bridge.js, invokes getBrandWCPayRequest with parameters signed by the merchant key, and the
 * payer's choice on the sheet comes back as WeChat's err_msg. Debian's Chromium, as every browser run here.
 */
import { createSign } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "@playwright/test";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";
import { jsapiBody, merchantCall } from "./test-helpers";

let sim: Simulator;
let browser: Browser;
let page: Page;
let cashier: Server;
let cashierUrl = "";
/** The parameters the next page load hands to getBrandWCPayRequest. */
let params: Record<string, string> = {};

beforeAll(async () => {
  sim = await startSimulator({
    startTime: START_TIME,
    pay: { fetch: async () => ({ status: 204, text: async () => "" }) },
  });
  cashier = createServer((_req, res) => {
    // A strict CSP like the app's: the bridge works with only its script and its origin allowed.
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `default-src 'none'; script-src 'unsafe-inline' ${sim.url}; connect-src ${sim.url}`,
    });
    res.end(`<!doctype html><meta charset="utf-8"><title>收银台</title><body><output id="result"></output>
<script>
  document.addEventListener("WeixinJSBridgeReady", function () {
    WeixinJSBridge.invoke("getBrandWCPayRequest", ${JSON.stringify(params)}, function (res) {
      document.getElementById("result").textContent = res.err_msg;
    });
  });
</script>
<script src="${sim.url}/__sim/pay/bridge.js"></script></body>`);
  });
  await new Promise<void>((resolve) => cashier.listen(0, "127.0.0.1", resolve));
  cashierUrl = `http://localhost:${(cashier.address() as AddressInfo).port}/pay/1`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  page = await browser.newPage();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => cashier.close(resolve));
  await sim.close();
});
beforeEach(() => sim.reset());

async function signedParams(overrides: Record<string, string> = {}) {
  const body = jsapiBody(sim, "https://app.example.com/api/pay/notify", { amount: { total: 1, currency: "CNY" } });
  const prepayId = (await merchantCall(sim, "/v3/pay/transactions/jsapi", { body })).json.prepay_id as string;
  const material = sim.pay.merchant();
  const base = {
    appId: material.appid,
    timeStamp: String(START_TIME / 1000),
    nonceStr: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    package: `prepay_id=${prepayId}`,
    signType: "RSA",
  };
  const paySign = createSign("sha256")
    .update(`${base.appId}\n${base.timeStamp}\n${base.nonceStr}\n${base.package}\n`)
    .sign(material.merchantPrivateKey!, "base64");
  return { ...base, paySign, ...overrides };
}

async function open(p: Record<string, string>) {
  params = p;
  await page.goto(cashierUrl);
  await page.getByTestId("sim-pay-sheet").waitFor();
}

describe("the WeixinJSBridge stand-in", () => {
  it("shows the order's description and amount; 支付 pays it and answers get_brand_wcpay_request:ok", async () => {
    await open(await signedParams());
    await expect(page.getByTestId("sim-pay-sheet").textContent()).resolves.toContain("会员月卡");
    await expect(page.getByTestId("sim-pay-amount").textContent()).resolves.toBe("¥0.01");
    await page.getByTestId("sim-pay-confirm").click();
    await page.locator("#result").filter({ hasText: "get_brand_wcpay_request:" }).waitFor();
    await expect(page.locator("#result").textContent()).resolves.toBe("get_brand_wcpay_request:ok");
    expect(sim.pay.order("SO20260115000001")!.state).toBe("SUCCESS");
    expect(await page.getByTestId("sim-pay-sheet").count()).toBe(0);
  });

  it.each([
    ["sim-pay-cancel", "get_brand_wcpay_request:cancel"],
    ["sim-pay-fail", "get_brand_wcpay_request:fail"],
  ])("%s answers %s and leaves the order unpaid", async (testid, errMsg) => {
    await open(await signedParams());
    await page.getByTestId(testid).click();
    await page.locator("#result").filter({ hasText: "get_brand_wcpay_request:" }).waitFor();
    await expect(page.locator("#result").textContent()).resolves.toBe(errMsg);
    expect(sim.pay.order("SO20260115000001")!.state).toBe("NOTPAY");
  });

  it("refuses a paySign that does not verify, saying why, and answers :fail when closed", async () => {
    await open(await signedParams({ nonceStr: "ANOTHERNONCE" }));
    await expect(page.getByTestId("sim-pay-sheet").textContent()).resolves.toContain("支付验证签名失败");
    expect(await page.getByTestId("sim-pay-confirm").count()).toBe(0);
    await page.getByTestId("sim-pay-close").click();
    await page.locator("#result").filter({ hasText: "get_brand_wcpay_request:" }).waitFor();
    await expect(page.locator("#result").textContent()).resolves.toBe("get_brand_wcpay_request:fail");
    expect(sim.pay.order("SO20260115000001")!.state).toBe("NOTPAY");
  });
});
