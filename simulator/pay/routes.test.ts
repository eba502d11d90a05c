/**
 * The simulator's WeChat Pay API over HTTP, driven by a merchant written in test-helpers.ts: signatures,
 * order rules, states, refunds and scripted faults. Notifications have their own file (notify.test.ts).
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";
import { jsapiBody, merchantCall, verifyWechatpay } from "./test-helpers";

let sim: Simulator;
const NOTIFY = "https://app.example.com/api/pay/notify";
const JSAPI = "/v3/pay/transactions/jsapi";

beforeAll(async () => {
  // No notification is answered in this file: they go nowhere and are not waited for.
  sim = await startSimulator({
    startTime: START_TIME,
    pay: { fetch: async () => ({ status: 204, text: async () => "" }) },
  });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const order = (overrides: Record<string, unknown> = {}) => jsapiBody(sim, NOTIFY, overrides);
const prepay = (overrides: Record<string, unknown> = {}) => merchantCall(sim, JSAPI, { body: order(overrides) });
const query = (no = "SO20260115000001") =>
  merchantCall(sim, `/v3/pay/transactions/out-trade-no/${no}?mchid=${sim.pay.mchid}`);
const close = (no = "SO20260115000001") =>
  merchantCall(sim, `/v3/pay/transactions/out-trade-no/${no}/close`, { body: { mchid: sim.pay.mchid } });
const refund = (outRefundNo: string, amount: number, total = 100, extra: Record<string, unknown> = {}) =>
  merchantCall(sim, "/v3/refund/domestic/refunds", {
    body: {
      out_trade_no: "SO20260115000001",
      out_refund_no: outRefundNo,
      amount: { refund: amount, total, currency: "CNY" },
      ...extra,
    },
  });
async function paidOrder(total = 100) {
  expect((await prepay({ amount: { total, currency: "CNY" } })).status).toBe(200);
  expect(sim.pay.confirm({ outTradeNo: "SO20260115000001" }).errMsg).toBe("get_brand_wcpay_request:ok");
}

describe("request signatures", () => {
  it("answers a well-signed prepay with a prepay_id, signed with the platform key it hands out", async () => {
    const answer = await prepay();
    expect(answer.status).toBe(200);
    expect(answer.json.prepay_id).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
    expect(answer.verified).toBe(true);
    expect(answer.headers.get("wechatpay-serial")).toMatch(/^PUB_KEY_ID_011900009191[0-9A-F]{16}$/);
    expect(answer.headers.get("request-id")).toBeTruthy();
  });

  it.each<[string, Parameters<typeof merchantCall>[2]]>([
    ["no Authorization", { headers: { Authorization: undefined } }],
    ["another scheme", { headers: { Authorization: 'WECHATPAY2-SHA256-RSA4096 mchid="1"' } }],
    ["a signature over another body", { signedBody: "{}" }],
    ["another certificate serial", { serialNo: "0123456789ABCDEF" }],
    ["another mchid", { mchid: "1900000001" }],
    ["a timestamp 301 s old", { timestamp: START_TIME / 1000 - 301 }],
    ["a timestamp 301 s ahead", { timestamp: START_TIME / 1000 + 301 }],
    [
      "another merchant's key",
      {
        privateKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
          type: "pkcs8",
          format: "pem",
        }) as string,
      },
    ],
  ])("refuses %s with 401 SIGN_ERROR, unsigned", async (_what, call) => {
    const answer = await merchantCall(sim, JSAPI, { body: order(), ...call });
    expect(answer.status).toBe(401);
    expect(answer.json.code).toBe("SIGN_ERROR");
    expect(answer.headers.get("wechatpay-signature")).toBeNull();
    expect(sim.pay.order("SO20260115000001")).toBeUndefined();
  });

  it("takes a timestamp 300 s off", async () => {
    expect((await merchantCall(sim, JSAPI, { body: order(), timestamp: START_TIME / 1000 - 300 })).status).toBe(200);
  });

  it("covers the path and query: a request other than the one signed fails", async () => {
    await prepay();
    const path = `/v3/pay/transactions/out-trade-no/SO20260115000001?mchid=${sim.pay.mchid}`;
    expect((await merchantCall(sim, path)).status).toBe(200);
    expect((await merchantCall(sim, `${path}&x=1`, { signedPath: path })).status).toBe(401);
    expect((await merchantCall(sim, path, { signedPath: path.replace("?", "/?") })).status).toBe(401);
    expect((await merchantCall(sim, path, { method: "GET", signedBody: "{}" })).status).toBe(401);
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    ["no User-Agent", { "User-Agent": undefined }, "User-Agent"],
    ["an Accept that is not JSON", { Accept: "text/html" }, "Accept"],
    ["a body that is not declared JSON", { "Content-Type": "text/plain" }, "Content-Type"],
  ])("refuses %s with 400 INVALID_REQUEST", async (_what, headers, word) => {
    const answer = await merchantCall(sim, JSAPI, { body: order(), headers });
    expect(answer).toMatchObject({ status: 400, verified: true, json: { code: "INVALID_REQUEST" } });
    expect(answer.json.message).toContain(word);
  });

  it("verifies with the app's own key once registered, and no longer with the one it made", async () => {
    const own = await startSimulator({ startTime: START_TIME });
    try {
      const made = own.pay.merchant().merchantPrivateKey!;
      const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const res = await fetch(`${own.url}/__sim/pay/merchant/register`, {
        method: "POST",
        body: JSON.stringify({
          publicKey: app.publicKey.export({ type: "spki", format: "pem" }),
          serialNo: "6B3E1F0C0DE0000000000000000000000000A001",
        }),
      });
      expect(res.status).toBe(200);
      expect(own.pay.merchant()).toMatchObject({
        merchantPrivateKey: null,
        merchantSerialNo: "6B3E1F0C0DE0000000000000000000000000A001",
      });
      const appPem = app.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
      const body = jsapiBody(own, NOTIFY);
      expect((await merchantCall(own, JSAPI, { body, privateKey: appPem })).status).toBe(200);
      expect((await merchantCall(own, JSAPI, { body, privateKey: made })).status).toBe(401);
      const refused = await fetch(`${own.url}/__sim/pay/merchant/register`, {
        method: "POST",
        body: JSON.stringify({ publicKey: appPem, serialNo: "A1" }),
      });
      expect(refused.status).toBe(400);
    } finally {
      await own.close();
    }
  });
});

describe("JSAPI prepay rules", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["amount 0", { amount: { total: 0, currency: "CNY" } }, "amount.total"],
    ["a negative amount", { amount: { total: -1, currency: "CNY" } }, "amount.total"],
    ["a fractional amount (yuan instead of fen)", { amount: { total: 0.01, currency: "CNY" } }, "amount.total"],
    ["an amount as a string", { amount: { total: "100", currency: "CNY" } }, "amount.total"],
    ["another currency", { amount: { total: 100, currency: "USD" } }, "amount.currency"],
    ["no amount", { amount: undefined }, "amount"],
    ["a 5-character out_trade_no", { out_trade_no: "SO202" }, "out_trade_no"],
    ["a 33-character out_trade_no", { out_trade_no: "S".repeat(33) }, "out_trade_no"],
    ["an out_trade_no with a dot", { out_trade_no: "SO2026.0001" }, "out_trade_no"],
    ["a description over 127 bytes", { description: "会".repeat(43) }, "description"],
    ["an empty description", { description: "" }, "description"],
    ["attach over 128 bytes", { attach: "a".repeat(129) }, "attach"],
    ["a notify_url with a query", { notify_url: `${NOTIFY}?order=1` }, "notify_url"],
    ["an http notify_url on a public host", { notify_url: "http://app.example.com/api/pay/notify" }, "notify_url"],
    ["no payer", { payer: undefined }, "payer.openid"],
    ["a time_expire without offset", { time_expire: "2026-01-15T18:00:00" }, "time_expire"],
    ["a time_expire already past", { time_expire: "2026-01-15T15:59:59+08:00" }, "time_expire"],
    ["another mchid in the body", { mchid: "1900000001" }, "mchid"],
  ])("refuses %s with PARAM_ERROR naming the field", async (_what, overrides, field) => {
    const answer = await prepay(overrides);
    expect(answer).toMatchObject({ status: 400, verified: true, json: { code: "PARAM_ERROR" } });
    expect((answer.json.detail as { field?: string } | undefined)?.field ?? field).toBe(field);
    expect(sim.pay.order(String(order(overrides).out_trade_no))).toBeUndefined();
  });

  it("takes 42 Chinese characters of description, an http notify_url on localhost, and an order without currency", async () => {
    expect((await prepay({ description: "会".repeat(42) })).status).toBe(200);
    expect(
      (await prepay({ out_trade_no: "SO20260115000002", notify_url: "http://localhost:3000/api/pay/notify" })).status,
    ).toBe(200);
    expect((await prepay({ out_trade_no: "SO20260115000003", amount: { total: 1 } })).status).toBe(200);
  });

  it("refuses an appid not bound to the mchid, and a payer who is not a user of the account", async () => {
    expect(await prepay({ appid: "wx0000000000000bad" })).toMatchObject({
      status: 400,
      json: { code: "APPID_MCHID_NOT_MATCH" },
    });
    expect(await prepay({ payer: { openid: "oNotAUserOfThisAccount000000" } })).toMatchObject({
      status: 500,
      json: { code: "OPENID_MISMATCH" },
    });
    const snapshot = sim.users.find((u) => u.snapshot)!;
    expect((await prepay({ payer: { openid: snapshot.openid } })).json.code).toBe("OPENID_MISMATCH");
  });

  it("answers the same prepay_id to the same order, OUT_TRADE_NO_USED to other content, a new prepay_id after 2 hours", async () => {
    const first = (await prepay()).json.prepay_id as string;
    expect((await prepay()).json.prepay_id).toBe(first);
    for (const other of [{ amount: { total: 101, currency: "CNY" } }, { description: "年卡" }, { attach: "x" }]) {
      expect(await prepay(other)).toMatchObject({ status: 403, json: { code: "OUT_TRADE_NO_USED" } });
    }
    sim.advance(7199);
    expect((await prepay()).json.prepay_id).toBe(first);
    sim.advance(1);
    const second = (await prepay()).json.prepay_id as string;
    expect(second).not.toBe(first);
    expect(sim.pay.confirm({ prepayId: first })).toMatchObject({
      errMsg: "get_brand_wcpay_request:fail",
      reason: "prepay_id已失效",
    });
    expect(sim.pay.confirm({ prepayId: second }).errMsg).toBe("get_brand_wcpay_request:ok");
  });
});

describe("the payer confirms", () => {
  it("pays the order: query says SUCCESS with a transaction, and the order cannot be prepaid or paid again", async () => {
    await prepay();
    const result = sim.pay.confirm({ outTradeNo: "SO20260115000001" });
    expect(result).toMatchObject({
      errMsg: "get_brand_wcpay_request:ok",
      transactionId: expect.stringMatching(/^4200\d{24}$/),
    });
    const answer = await query();
    expect(answer.verified).toBe(true);
    expect(answer.json).toMatchObject({
      appid: sim.pay.merchant().appid,
      mchid: sim.pay.mchid,
      out_trade_no: "SO20260115000001",
      transaction_id: result.transactionId,
      trade_type: "JSAPI",
      trade_state: "SUCCESS",
      success_time: "2026-01-15T16:00:00+08:00",
      payer: { openid: sim.users[0]!.openid },
      amount: { total: 100, payer_total: 100, currency: "CNY", payer_currency: "CNY" },
    });
    expect(await prepay()).toMatchObject({ status: 400, json: { code: "ORDERPAID" } });
    expect(sim.pay.confirm({ outTradeNo: "SO20260115000001" })).toMatchObject({ reason: "该订单已支付" });
  });

  it("checks the page's getBrandWCPayRequest parameters as WeChat's client does", async () => {
    const { createSign } = await import("node:crypto");
    const prepayId = (await prepay()).json.prepay_id as string;
    const material = sim.pay.merchant();
    const bridge = (fields: Partial<Record<string, string>> = {}, signWith = material.merchantPrivateKey!) => {
      const base = {
        appId: material.appid,
        timeStamp: String(START_TIME / 1000),
        nonceStr: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        package: `prepay_id=${prepayId}`,
        signType: "RSA",
        ...fields,
      };
      const paySign = createSign("sha256")
        .update(`${base.appId}\n${base.timeStamp}\n${base.nonceStr}\n${base.package}\n`)
        .sign(signWith, "base64");
      return { ...base, paySign: fields.paySign ?? paySign };
    };
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    expect(sim.pay.confirm({ bridge: bridge({}, other) })).toMatchObject({ reason: "支付验证签名失败" });
    expect(sim.pay.confirm({ bridge: bridge({ signType: "MD5" }) })).toMatchObject({ reason: "signType必须为RSA" });
    expect(sim.pay.confirm({ bridge: bridge({ appId: "wx0000000000000bad" }) })).toMatchObject({
      reason: "appId与下单的appid不一致",
    });
    expect(sim.pay.confirm({ bridge: { ...bridge(), package: "prepay_id=wx1" } })).toMatchObject({
      reason: "支付验证签名失败",
    });
    expect(sim.pay.order("SO20260115000001")!.state).toBe("NOTPAY");
    expect(sim.pay.confirm({ bridge: bridge() }).errMsg).toBe("get_brand_wcpay_request:ok");
  });

  it("refuses another payer, a cancelled payment changes nothing, an order past time_expire cannot be paid", async () => {
    await prepay({ time_expire: "2026-01-15T16:30:00+08:00" });
    expect(sim.pay.confirm({ outTradeNo: "SO20260115000001", openid: sim.users[1]!.openid })).toMatchObject({
      reason: "支付者与下单用户不一致",
    });
    expect(sim.pay.confirm({ outTradeNo: "SO20260115000001", outcome: "cancel" }).errMsg).toBe(
      "get_brand_wcpay_request:cancel",
    );
    expect(sim.pay.confirm({ outTradeNo: "SO20260115000001", outcome: "fail" }).errMsg).toBe(
      "get_brand_wcpay_request:fail",
    );
    expect((await query()).json.trade_state).toBe("NOTPAY");
    sim.advance(30 * 60);
    expect(sim.pay.confirm({ outTradeNo: "SO20260115000001" })).toMatchObject({ reason: "该订单已过期" });
  });

  it("is a control too: POST /__sim/pay/confirm", async () => {
    await prepay();
    const res = await fetch(`${sim.url}/__sim/pay/confirm`, {
      method: "POST",
      body: JSON.stringify({ outTradeNo: "SO20260115000001" }),
    });
    expect(await res.json()).toMatchObject({ errMsg: "get_brand_wcpay_request:ok" });
    const bad = await fetch(`${sim.url}/__sim/pay/confirm`, {
      method: "POST",
      body: JSON.stringify({ outcome: "maybe" }),
    });
    expect(bad.status).toBe(400);
  });
});

describe("query and close", () => {
  it("answers an unpaid order without transaction, an unknown one 404, a query without mchid PARAM_ERROR", async () => {
    await prepay();
    const answer = await query();
    expect(answer.json).toMatchObject({
      trade_state: "NOTPAY",
      trade_state_desc: "订单未支付",
      amount: { total: 100 },
    });
    expect(answer.json.transaction_id).toBeUndefined();
    expect(await query("SO20260115999999")).toMatchObject({
      status: 404,
      verified: true,
      json: { code: "ORDER_NOT_EXIST" },
    });
    expect(await merchantCall(sim, "/v3/pay/transactions/out-trade-no/SO20260115000001")).toMatchObject({
      status: 400,
      json: { code: "PARAM_ERROR" },
    });
  });

  it("finds a paid order by its transaction_id", async () => {
    await paidOrder();
    const transactionId = sim.pay.order("SO20260115000001")!.transactionId!;
    const answer = await merchantCall(sim, `/v3/pay/transactions/id/${transactionId}?mchid=${sim.pay.mchid}`);
    expect(answer.json).toMatchObject({ out_trade_no: "SO20260115000001", trade_state: "SUCCESS" });
  });

  it("closes an unpaid order with a signed 204, after which it can be neither paid nor prepaid", async () => {
    await prepay();
    const closed = await close();
    expect(closed).toMatchObject({ status: 204, text: "", verified: true });
    expect((await query()).json.trade_state).toBe("CLOSED");
    expect(sim.pay.confirm({ outTradeNo: "SO20260115000001" })).toMatchObject({ reason: "该订单已关闭" });
    expect(await prepay()).toMatchObject({ status: 400, json: { code: "ORDER_CLOSED" } });
    expect(await prepay({ amount: { total: 1, currency: "CNY" } })).toMatchObject({
      json: { code: "OUT_TRADE_NO_USED" },
    });
    expect(await close()).toMatchObject({ status: 400, json: { code: "ORDER_CLOSED" } });
  });

  it("refuses to close a paid order (ORDERPAID) or an unknown one (ORDER_NOT_EXIST)", async () => {
    await paidOrder();
    expect(await close()).toMatchObject({ status: 400, json: { code: "ORDERPAID" } });
    expect(await close("SO20260115999999")).toMatchObject({ status: 404, json: { code: "ORDER_NOT_EXIST" } });
  });
});

describe("refunds", () => {
  it("refunds in parts whose sum never exceeds what was paid; the same out_refund_no is the same refund", async () => {
    await paidOrder(100);
    const a = await refund("RF1", 30);
    expect(a).toMatchObject({
      status: 200,
      verified: true,
      json: { out_refund_no: "RF1", status: "PROCESSING", amount: { refund: 30, total: 100 } },
    });
    expect((await refund("RF1", 30)).json.refund_id).toBe(a.json.refund_id);
    expect(await refund("RF1", 31)).toMatchObject({ status: 400, json: { code: "INVALID_REQUEST" } });
    expect((await refund("RF2", 70)).status).toBe(200);
    expect(await refund("RF3", 1)).toMatchObject({
      status: 400,
      json: { code: "INVALID_REQUEST", message: "申请退款金额超过订单可退金额" },
    });
    expect((await query()).json.trade_state).toBe("REFUND");
  });

  it("never lets concurrent refunds exceed the payment", async () => {
    await paidOrder(100);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => refund(`RFC${i}`, 30)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    expect(answers.filter((a) => a.json.code === "INVALID_REQUEST")).toHaveLength(7);
  });

  it.each<[string, () => Promise<unknown>, number, string]>([
    ["an unpaid order", async () => void (await prepay()), 400, "INVALID_REQUEST"],
    ["an unknown order", async () => undefined, 404, "RESOURCE_NOT_EXISTS"],
  ])("refuses a refund of %s", async (_what, setup, status, code) => {
    await setup();
    expect(await refund("RF1", 1)).toMatchObject({ status, json: { code } });
  });

  it("wants the order's total, a refund no larger than it, and a well-formed out_refund_no", async () => {
    await paidOrder(100);
    expect(await refund("RF1", 10, 99)).toMatchObject({ status: 400, json: { code: "PARAM_ERROR" } });
    expect(await refund("RF1", 101, 100)).toMatchObject({ status: 400, json: { code: "PARAM_ERROR" } });
    expect(await refund("RF 1", 10)).toMatchObject({ status: 400, json: { code: "PARAM_ERROR" } });
    expect(await refund("RF1", 0)).toMatchObject({ status: 400, json: { code: "PARAM_ERROR" } });
  });

  it("allows 50 refunds of an order, not 51", async () => {
    await paidOrder(100);
    for (let i = 0; i < 50; i++) expect((await refund(`RF${i}`, 1)).status).toBe(200);
    expect(await refund("RF50", 1)).toMatchObject({ status: 400, json: { code: "INVALID_REQUEST" } });
  });

  it("completes a refund at once by default (the answer says PROCESSING, the query SUCCESS)", async () => {
    await paidOrder(100);
    await refund("RF1", 30);
    const answer = await merchantCall(sim, "/v3/refund/domestic/refunds/RF1");
    expect(answer).toMatchObject({
      status: 200,
      verified: true,
      json: { status: "SUCCESS", success_time: "2026-01-15T16:00:00+08:00" },
    });
    expect(await merchantCall(sim, "/v3/refund/domestic/refunds/RF9")).toMatchObject({
      status: 404,
      json: { code: "RESOURCE_NOT_EXISTS" },
    });
  });

  it("in manual mode holds refunds PROCESSING until completed; a CLOSED refund gives its amount back", async () => {
    sim.pay.setRefundMode("manual");
    await paidOrder(100);
    await refund("RF1", 100);
    expect((await merchantCall(sim, "/v3/refund/domestic/refunds/RF1")).json.status).toBe("PROCESSING");
    expect((await refund("RF2", 1)).json.code).toBe("INVALID_REQUEST");
    const res = await fetch(`${sim.url}/__sim/pay/refund/complete`, {
      method: "POST",
      body: JSON.stringify({ outRefundNo: "RF1", status: "CLOSED" }),
    });
    expect(await res.json()).toMatchObject({ status: "CLOSED" });
    expect((await refund("RF2", 100)).status).toBe(200);
    expect(() => sim.pay.completeRefund("RF1", "SUCCESS")).toThrow(/already CLOSED/);
  });
});

describe("scripted faults", () => {
  it("answers SYSTEM_ERROR once, signed, having done nothing; the retry succeeds", async () => {
    sim.pay.failNext("jsapi", { code: "SYSTEM_ERROR" });
    expect(await prepay()).toMatchObject({ status: 500, verified: true, json: { code: "SYSTEM_ERROR" } });
    expect(sim.pay.order("SO20260115000001")).toBeUndefined();
    expect((await prepay()).status).toBe(200);
  });

  it("with apply, does the work and loses the answer: the retry with the same out_trade_no gets the same prepay", async () => {
    sim.pay.failNext("jsapi", { code: "SYSTEM_ERROR", apply: true });
    expect((await prepay()).status).toBe(500);
    const prepayId = sim.pay.order("SO20260115000001")!.prepayId;
    expect((await prepay()).json.prepay_id).toBe(prepayId);
  });

  it.each<["bad" | "signtest" | "stale" | "unknown_serial" | "unsigned", (h: Headers) => void]>([
    ["bad", () => {}],
    ["signtest", (h) => expect(h.get("wechatpay-signature")).toMatch(/^WECHATPAY\/SIGNTEST\//)],
    ["stale", (h) => expect(Number(h.get("wechatpay-timestamp"))).toBe(START_TIME / 1000 - 600)],
    ["unknown_serial", (h) => expect(h.get("wechatpay-serial")).not.toBe(sim.pay.merchant().wechatpayPublicKeyId)],
    ["unsigned", (h) => expect(h.get("wechatpay-signature")).toBeNull()],
  ])("signs an answer wrongly on purpose: %s", async (signature, check) => {
    await prepay();
    sim.pay.failNext("query", { signature });
    const answer = await query();
    expect(answer.status).toBe(200);
    check(answer.headers);
    if (signature !== "stale") expect(answer.verified).toBe(false);
    else expect(verifyWechatpay(sim, answer.headers, answer.text)).toBe(true);
    expect((await query()).verified).toBe(true);
  });

  it("takes faults over HTTP and refuses malformed ones", async () => {
    const post = (body: unknown) =>
      fetch(`${sim.url}/__sim/pay/fail-next`, { method: "POST", body: JSON.stringify(body) });
    expect((await post({ op: "refund", fault: { code: "NOT_ENOUGH" }, times: 2 })).status).toBe(200);
    expect((await post({ op: "pay", fault: { code: "SYSTEM_ERROR" } })).status).toBe(400);
    expect((await post({ op: "jsapi", fault: { code: "MADE_UP" } })).status).toBe(400);
    expect((await post({ op: "jsapi", fault: { signature: "maybe" } })).status).toBe(400);
    await paidOrder(100);
    expect(await refund("RF1", 1)).toMatchObject({ status: 403, json: { code: "NOT_ENOUGH" } });
    expect(await refund("RF1", 1)).toMatchObject({ status: 403, json: { code: "NOT_ENOUGH" } });
    expect((await refund("RF1", 1)).status).toBe(200);
  });

  it("forgets orders, refunds and faults on reset", async () => {
    await paidOrder();
    sim.pay.failNext("query", { code: "SYSTEM_ERROR" }, 3);
    sim.reset();
    expect(sim.pay.order("SO20260115000001")).toBeUndefined();
    expect((await query()).json.code).toBe("ORDER_NOT_EXIST");
  });
});
