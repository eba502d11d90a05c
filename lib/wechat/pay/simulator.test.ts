/**
 * The pay client against the simulator's WeChat Pay, over HTTP with the app's own transport: two sides
 * written independently (lib/wechat/pay and simulator/pay) must agree on every signature, cipher and rule.
 * The app's notify_url is a node:http server here that hands what arrives to the client.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/simulator/server";
import { nodeTransport } from "../transport";
import { WeChatPay, type PayNotification } from "./client";
import { WeChatPayApiError, WeChatPayNotificationError, WeChatPaySignatureError } from "./errors";

const START = Date.UTC(2026, 0, 15, 8, 0, 0);

let sim: Simulator;
let server: Server;
let notifyUrl = "";
let pay: WeChatPay;
const transport = nodeTransport();
/** What the app's endpoint made of each delivery. */
const opened: (PayNotification | Error)[] = [];

beforeAll(async () => {
  // The endpoint does what /api/pay/notify will: open the notification, answer 204, or 4xx on any doubt.
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      try {
        opened.push(pay.openNotification(req.headers as IncomingHttpHeaders, body));
        res.writeHead(204).end();
      } catch (error) {
        opened.push(error as Error);
        res.writeHead(401, { "content-type": "application/json" }).end('{"code":"FAIL","message":"refused"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  notifyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/pay/notify`;
  sim = await startSimulator({ startTime: START });
  const material = sim.pay.merchant();
  pay = new WeChatPay(
    {
      mchid: material.mchid,
      appid: material.appid,
      merchantPrivateKey: material.merchantPrivateKey!,
      merchantSerialNo: material.merchantSerialNo,
      apiV3Key: material.apiV3Key,
      wechatpayPublicKey: material.wechatpayPublicKey,
      wechatpayPublicKeyId: material.wechatpayPublicKeyId,
      baseUrl: sim.url,
    },
    { fetch: transport, now: () => sim.now(), sleep: async () => {} },
  );
});
afterAll(async () => {
  await sim.close();
  transport.close();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  sim.reset();
  opened.length = 0;
});

const payer = () => sim.users[0]!.openid;
const order = (outTradeNo = "SO20260115000001", amount = 100) => ({
  outTradeNo,
  description: "会员月卡",
  amount,
  payerOpenid: payer(),
  notifyUrl,
  attach: "会员",
  timeExpire: START + 30 * 60_000,
});

describe("a payment, end to end", () => {
  it("prepay, the page's signed parameters accepted by WeChat, the notification opened, the query agreeing", async () => {
    const prepay = await pay.createJsapiOrder(order());
    expect(prepay.prepayId).toMatch(/^wx/);
    expect(await pay.createJsapiOrder(order())).toEqual(prepay);

    const bridge = pay.signBridgeRequest(prepay.prepayId);
    expect(sim.pay.confirm({ bridge, openid: payer() }).errMsg).toBe("get_brand_wcpay_request:ok");
    await sim.pay.settled();

    expect(opened).toHaveLength(1);
    const notification = opened[0] as PayNotification;
    expect(notification).toMatchObject({
      kind: "transaction",
      eventType: "TRANSACTION.SUCCESS",
      createTime: START,
      transaction: {
        outTradeNo: "SO20260115000001",
        tradeState: "SUCCESS",
        attach: "会员",
        payerOpenid: payer(),
        successTime: START,
        amount: { total: 100, payerTotal: 100, currency: "CNY" },
      },
    });
    expect(sim.pay.notifications()[0]!.state).toBe("delivered");

    const queried = await pay.queryOrder("SO20260115000001");
    expect(queried).toEqual(notification.kind === "transaction" ? notification.transaction : null);
    expect(await pay.queryOrderByTransactionId(queried.transactionId!)).toEqual(queried);
  });

  it("refunds in parts, reads each refund and opens its notification", async () => {
    await pay.createJsapiOrder(order());
    sim.pay.confirm({ outTradeNo: "SO20260115000001" });
    await sim.pay.settled();
    opened.length = 0;

    const first = await pay.refund({
      outTradeNo: "SO20260115000001",
      outRefundNo: "RF1",
      refund: 30,
      total: 100,
      notifyUrl,
    });
    expect(first).toMatchObject({ status: "PROCESSING", amount: { refund: 30, total: 100 } });
    expect(await pay.queryRefund("RF1")).toMatchObject({ status: "SUCCESS", successTime: START });
    await sim.pay.settled();
    expect(opened[0]).toMatchObject({
      kind: "refund",
      eventType: "REFUND.SUCCESS",
      refund: { outRefundNo: "RF1", amount: { refund: 30 } },
    });

    const transactionId = (await pay.queryOrder("SO20260115000001")).transactionId!;
    await pay.refund({ transactionId, outRefundNo: "RF2", refund: 70, total: 100 });
    const over = await pay
      .refund({ outTradeNo: "SO20260115000001", outRefundNo: "RF3", refund: 1, total: 100 })
      .catch((e: unknown) => e);
    expect(over).toBeInstanceOf(WeChatPayApiError);
    expect(over).toMatchObject({ code: "INVALID_REQUEST", verified: true, info: { action: "bad_request" } });
    expect((await pay.queryOrder("SO20260115000001")).tradeState).toBe("REFUND");
  });

  it("closes an unpaid order, which then cannot be paid", async () => {
    const { prepayId } = await pay.createJsapiOrder(order());
    expect(await pay.closeOrder("SO20260115000001")).toBe("closed");
    expect(await pay.closeOrder("SO20260115000001")).toBe("already_closed");
    expect(sim.pay.confirm({ prepayId }).errMsg).toBe("get_brand_wcpay_request:fail");
    expect((await pay.queryOrder("SO20260115000001")).tradeState).toBe("CLOSED");
    await expect(pay.createJsapiOrder(order())).rejects.toMatchObject({ code: "ORDER_CLOSED" });
  });
});

describe("the rules, as WeChat Pay applies them to the client", () => {
  it("carries out_trade_no and out_refund_no with every character they may hold (|, *, @, -, _) through paths", async () => {
    const no = "SO|2026*01-a_B";
    await pay.createJsapiOrder(order(no));
    expect((await pay.queryOrder(no)).outTradeNo).toBe(no);
    sim.pay.confirm({ outTradeNo: no });
    await pay.refund({ outTradeNo: no, outRefundNo: "RF@1|2*3-_", refund: 1, total: 100 });
    expect(await pay.queryRefund("RF@1|2*3-_")).toMatchObject({ outRefundNo: "RF@1|2*3-_", outTradeNo: no });
    await pay.createJsapiOrder(order("SO|2026*02"));
    expect(await pay.closeOrder("SO|2026*02")).toBe("closed");
  });

  it("maps WeChat Pay's refusals to typed errors", async () => {
    await expect(pay.queryOrder("SO20260115999999")).rejects.toMatchObject({
      code: "ORDER_NOT_EXIST",
      status: 404,
      verified: true,
    });
    await pay.createJsapiOrder(order());
    await expect(pay.createJsapiOrder({ ...order(), amount: 101 })).rejects.toMatchObject({
      code: "OUT_TRADE_NO_USED",
      status: 403,
    });
    await expect(
      pay.createJsapiOrder({ ...order("SO20260115000002"), payerOpenid: "oNotAUserOfThisAccount000000" }),
    ).rejects.toMatchObject({
      code: "OPENID_MISMATCH",
    });
    sim.pay.confirm({ outTradeNo: "SO20260115000001" });
    await expect(pay.closeOrder("SO20260115000001")).rejects.toMatchObject({ code: "ORDERPAID" });
  });

  it("retries SYSTEM_ERROR with the same out_trade_no, even when WeChat Pay did the work before failing", async () => {
    sim.pay.failNext("jsapi", { code: "SYSTEM_ERROR", apply: true });
    sim.pay.failNext("jsapi", { code: "SYSTEM_ERROR" });
    const prepay = await pay.createJsapiOrder(order());
    expect(prepay.prepayId).toBe(sim.pay.order("SO20260115000001")!.prepayId);
    expect(sim.requests().filter((r) => r.path === "/v3/pay/transactions/jsapi")).toHaveLength(3);
  });

  it("refuses answers the simulator signs wrongly on purpose", async () => {
    await pay.createJsapiOrder(order());
    for (const [signature, problem] of [
      ["bad", "bad_signature"],
      ["signtest", "signtest"],
      ["stale", "stale"],
      ["unknown_serial", "unknown_serial"],
      ["unsigned", "missing_headers"],
    ] as const) {
      sim.pay.failNext("query", { signature });
      const error = await pay.queryOrder("SO20260115000001").catch((e: unknown) => e);
      expect(error, signature).toBeInstanceOf(WeChatPaySignatureError);
      expect(error).toMatchObject({ problem });
    }
  });

  it("takes a SIGN_ERROR from a client whose clock is 6 minutes off (unsigned, so unverified)", async () => {
    const material = sim.pay.merchant();
    const skewed = new WeChatPay(
      { ...material, merchantPrivateKey: material.merchantPrivateKey!, baseUrl: sim.url },
      { fetch: transport, now: () => sim.now() - 360_000 },
    );
    await expect(skewed.queryOrder("SO20260115000001")).rejects.toMatchObject({
      code: "SIGN_ERROR",
      status: 401,
      verified: false,
    });
  });
});

describe("notifications the app must refuse", () => {
  it.each<[string, Parameters<Simulator["pay"]["notifier"]["script"]>[0], new (...args: never[]) => Error, string]>([
    ["a SIGNTEST probe (then the real one is taken)", { kind: "signtest" }, WeChatPaySignatureError, "signtest"],
    ["a stale first attempt", { kind: "stale" }, WeChatPaySignatureError, "stale"],
    ["a badly signed first attempt", { kind: "bad_signature" }, WeChatPaySignatureError, "bad_signature"],
    ["one signed with an unknown key id", { kind: "unknown_serial" }, WeChatPaySignatureError, "unknown_serial"],
    ["one encrypted with another APIv3 key", { kind: "wrong_key" }, WeChatPayNotificationError, "decrypt_failed"],
  ])("%s", async (_what, fault, type, problem) => {
    sim.pay.notifier.script(fault);
    await pay.createJsapiOrder(order());
    sim.pay.confirm({ outTradeNo: "SO20260115000001" });
    await sim.pay.settled();
    expect(opened[0]).toBeInstanceOf(type);
    expect(opened[0]).toMatchObject({ problem });
    if (fault.kind === "signtest") {
      expect(opened[1]).toMatchObject({ kind: "transaction" });
      expect(sim.pay.notifications()[0]).toMatchObject({ probeStatus: 401, state: "delivered" });
    } else {
      expect(sim.pay.notifications()[0]!.state).toBe("pending");
      sim.advance(15);
      await sim.pay.settled();
      const retried = opened[1];
      if (fault.kind === "wrong_key") expect(retried).toMatchObject({ problem: "decrypt_failed" });
      else expect(retried).toMatchObject({ kind: "transaction" });
    }
  });

  it("opens a notification whose amount is not the order's: the client passes it on, the caller compares", async () => {
    sim.pay.notifier.script({ kind: "amount", total: 1 });
    await pay.createJsapiOrder(order("SO20260115000001", 100));
    sim.pay.confirm({ outTradeNo: "SO20260115000001" });
    await sim.pay.settled();
    expect(opened[0]).toMatchObject({ kind: "transaction", transaction: { amount: { total: 1 } } });
  });
});
