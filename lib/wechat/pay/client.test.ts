/**
 * The pay client against a scripted WeChat Pay written here with node:crypto: it checks our signatures
 * with the merchant's public key as WeChat Pay would, and signs its answers and notifications with a
 * platform key of its own. Keys are generated per run; nothing waits on a real clock.
 */
import { createCipheriv, createVerify, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WeChatTransportError } from "../errors";
import { ApiHosts } from "../hosts";
import type { HttpFetch, HttpRequestInit, HttpResponse } from "../transport";
import { WeChatPay, type WeChatPayConfig, type WeChatPayDeps } from "./client";
import { WeChatPayApiError, WeChatPayNotificationError, WeChatPaySignatureError } from "./errors";

const NOW = Date.UTC(2026, 0, 15, 8, 0, 0);
const NOW_S = NOW / 1000;
const MCHID = "1900009191";
const APPID = "wx5e1f0c0de0000001";
const SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
const PUB_KEY_ID = "PUB_KEY_ID_0119000091912026011500000000000001";
const APIV3_KEY = "Sim0APIv3Key0For0WeChatPay000032";
const OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
const BASE = "https://api.mch.weixin.qq.com";

const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
const platform = generateKeyPairSync("rsa", { modulusLength: 2048 });
const merchantPem = merchant.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
const platformPublicPem = platform.publicKey.export({ type: "spki", format: "pem" }) as string;

const config: WeChatPayConfig = {
  mchid: MCHID,
  appid: APPID,
  merchantPrivateKey: merchantPem,
  merchantSerialNo: SERIAL,
  apiV3Key: APIV3_KEY,
  wechatpayPublicKey: platformPublicPem,
  wechatpayPublicKeyId: PUB_KEY_ID,
  baseUrl: BASE,
};

// ---- a scripted WeChat Pay ----

interface Seen {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Whether our Authorization verified with the merchant's public key, as WeChat Pay checks it. */
  readonly signatureOk: boolean;
  readonly auth: Readonly<Record<string, string>>;
}

interface Signing {
  /** Seconds; default the test clock. */
  readonly timestamp?: number;
  readonly serial?: string;
  /** Replace the signature. */
  readonly signature?: string;
  /** Sign this instead of the body sent (the body was altered on the way). */
  readonly signedBody?: string;
}

interface Reply {
  readonly status?: number;
  readonly body?: unknown;
  /** false: no Wechatpay-* headers (WeChat Pay does not sign answers to requests it could not verify). */
  readonly sign?: false | Signing;
  readonly requestId?: string;
}

type Step = Reply | Error | ((seen: Seen) => Reply | Promise<Reply>);

function parseAuthorization(value: string): Record<string, string> {
  const match = /^WECHATPAY2-SHA256-RSA2048 (.*)$/.exec(value);
  if (!match) return {};
  return Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

function signAnswer(text: string, signing: Signing = {}): Record<string, string> {
  const timestamp = String(signing.timestamp ?? clock.now / 1000);
  const nonce = randomBytes(16).toString("hex");
  const message = `${timestamp}\n${nonce}\n${signing.signedBody ?? text}\n`;
  return {
    "wechatpay-timestamp": timestamp,
    "wechatpay-nonce": nonce,
    "wechatpay-serial": signing.serial ?? PUB_KEY_ID,
    "wechatpay-signature":
      signing.signature ?? sign("sha256", Buffer.from(message), platform.privateKey).toString("base64"),
    "wechatpay-signature-type": "WECHATPAY2-SHA256-RSA2048",
  };
}

function response(reply: Reply): HttpResponse {
  const status = reply.status ?? 200;
  const text = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "request-id": reply.requestId ?? "08ABCDEF0610",
    ...(reply.sign === false ? {} : signAnswer(text, reply.sign)),
  };
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name) => headers[name.toLowerCase()] ?? null },
    text: () => Promise.resolve(text),
    body: null,
  };
}

function wechatPay(...steps: Step[]): HttpFetch & { readonly seen: Seen[] } {
  const seen: Seen[] = [];
  const fn = async (url: URL, init: HttpRequestInit): Promise<HttpResponse> => {
    const raw: unknown = init.body;
    const body =
      raw === undefined ? "" : typeof raw === "string" ? raw : Buffer.from(raw as Uint8Array).toString("utf8");
    const auth = parseAuthorization(init.headers.authorization ?? "");
    const message = `${init.method}\n${url.pathname}${url.search}\n${auth.timestamp}\n${auth.nonce_str}\n${body}\n`;
    const signatureOk = createVerify("sha256")
      .update(message)
      .verify(merchant.publicKey, auth.signature ?? "", "base64");
    const request: Seen = { url, method: init.method, headers: init.headers, body, signatureOk, auth };
    const step = steps[Math.min(seen.length, steps.length - 1)];
    seen.push(request);
    if (step === undefined) throw new Error("no steps");
    if (step instanceof Error) throw step;
    return response(typeof step === "function" ? await step(request) : step);
  };
  return Object.assign(fn, { seen });
}

const clock = { now: NOW };
afterEach(() => {
  clock.now = NOW;
  vi.useRealTimers();
});

function client(fetch: HttpFetch, deps: Partial<WeChatPayDeps> = {}, overrides: Partial<WeChatPayConfig> = {}) {
  const delays: number[] = [];
  const pay = new WeChatPay(
    { ...config, ...overrides },
    {
      fetch,
      now: () => clock.now,
      sleep: async (ms) => void delays.push(ms),
      random: () => 0,
      ...deps,
    },
  );
  return { pay, delays };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

const order = {
  outTradeNo: "SO20260115000001",
  description: "会员月卡",
  amount: 1,
  payerOpenid: OPENID,
  notifyUrl: "https://app.example.com/api/pay/notify",
};

const paid = {
  appid: APPID,
  mchid: MCHID,
  out_trade_no: "SO20260115000001",
  transaction_id: "4200002026011500000000000001",
  trade_type: "JSAPI",
  trade_state: "SUCCESS",
  trade_state_desc: "支付成功",
  bank_type: "OTHERS",
  attach: "",
  success_time: "2026-01-15T16:00:05+08:00",
  payer: { openid: OPENID },
  amount: { total: 1, payer_total: 1, currency: "CNY", payer_currency: "CNY" },
};

const refundBody = {
  refund_id: "50300002026011500000000000001",
  out_refund_no: "RF20260115000001",
  transaction_id: "4200002026011500000000000001",
  out_trade_no: "SO20260115000001",
  channel: "ORIGINAL",
  user_received_account: "支付用户零钱",
  create_time: "2026-01-15T16:01:00+08:00",
  status: "PROCESSING",
  funds_account: "AVAILABLE",
  amount: { total: 100, refund: 30, payer_total: 100, payer_refund: 30, currency: "CNY" },
};

// ---- requests ----

describe("request signing", () => {
  it("signs METHOD, path, timestamp, nonce and body with the merchant key, as WeChat Pay verifies it", async () => {
    const fake = wechatPay({ body: { prepay_id: "wx15160000000000000000000000000001" } });
    const { pay } = client(fake);
    const prepay = await pay.createJsapiOrder({ ...order, attach: "会员", timeExpire: NOW + 30 * 60_000 });
    expect(prepay).toEqual({ prepayId: "wx15160000000000000000000000000001", expiresAt: NOW + 7_200_000 });

    const [request] = fake.seen;
    expect(request!.signatureOk).toBe(true);
    expect(request!.method).toBe("POST");
    expect(request!.url.href).toBe(`${BASE}/v3/pay/transactions/jsapi`);
    expect(request!.auth).toEqual({
      mchid: MCHID,
      nonce_str: expect.stringMatching(/^[A-Z0-9]{32}$/),
      signature: expect.any(String),
      timestamp: String(NOW_S),
      serial_no: SERIAL,
    });
    expect(request!.headers).toMatchObject({
      accept: "application/json",
      "content-type": "application/json",
      "user-agent": expect.stringContaining("WeChat Pay v3"),
    });
    expect(JSON.parse(request!.body)).toEqual({
      appid: APPID,
      mchid: MCHID,
      description: "会员月卡",
      out_trade_no: "SO20260115000001",
      time_expire: "2026-01-15T16:30:00+08:00",
      attach: "会员",
      notify_url: "https://app.example.com/api/pay/notify",
      amount: { total: 1, currency: "CNY" },
      payer: { openid: OPENID },
    });
  });

  it("signs a GET with its query and an empty body, and a fresh nonce each request", async () => {
    const fake = wechatPay({ body: paid });
    const { pay } = client(fake);
    await pay.queryOrder("SO20260115000001");
    await pay.queryOrder("SO20260115000001");
    const [a, b] = fake.seen;
    expect(a!.url.pathname + a!.url.search).toBe(`/v3/pay/transactions/out-trade-no/SO20260115000001?mchid=${MCHID}`);
    expect(a!.body).toBe("");
    expect(a!.headers["content-type"]).toBeUndefined();
    expect(a!.signatureOk && b!.signatureOk).toBe(true);
    expect(a!.auth.nonce_str).not.toBe(b!.auth.nonce_str);
  });

  it("refuses bad orders before calling: amounts that are not positive integers of fen, bad numbers and texts", async () => {
    const fake = wechatPay({ body: { prepay_id: "wx1" } });
    const { pay } = client(fake);
    for (const bad of [
      { amount: 0 },
      { amount: -1 },
      { amount: 0.01 },
      { amount: 1.5 },
      { amount: "1" as unknown as number },
      { outTradeNo: "SO1" },
      { outTradeNo: "SO2026.0001" },
      { description: "" },
      { description: "会".repeat(43) },
      { notifyUrl: "https://app.example.com/notify?x=1" },
      { payerOpenid: "" },
      { attach: "a".repeat(129) },
      { timeExpire: NOW },
      { timeExpire: Number.NaN },
    ]) {
      await expect(pay.createJsapiOrder({ ...order, ...bad }), JSON.stringify(bad)).rejects.toThrow(TypeError);
    }
    await expect(
      pay.refund({ outTradeNo: "SO20260115000001", outRefundNo: "R1", refund: 101, total: 100 }),
    ).rejects.toThrow(/exceed/);
    await expect(
      pay.refund({ outTradeNo: "SO20260115000001", outRefundNo: "R 1", refund: 1, total: 100 }),
    ).rejects.toThrow(TypeError);
    expect(fake.seen).toHaveLength(0);
  });
});

// ---- answers ----

describe("answer verification", () => {
  it("accepts an answer signed within 5 minutes either way", async () => {
    for (const timestamp of [NOW_S - 300, NOW_S + 300]) {
      const { pay } = client(wechatPay({ body: paid, sign: { timestamp } }));
      await expect(pay.queryOrder("SO20260115000001")).resolves.toMatchObject({ tradeState: "SUCCESS" });
    }
  });

  it.each<[string, string, Reply]>([
    ["unsigned", "missing_headers", { body: paid, sign: false }],
    [
      "signed with another key id",
      "unknown_serial",
      { body: paid, sign: { serial: "PUB_KEY_ID_0000000000000000000000000000000000" } },
    ],
    ["signed 301 s ago", "stale", { body: paid, sign: { timestamp: NOW_S - 301 } }],
    ["signed 301 s ahead", "stale", { body: paid, sign: { timestamp: NOW_S + 301 } }],
    [
      "altered after signing",
      "bad_signature",
      { body: paid, sign: { signedBody: JSON.stringify({ ...paid, trade_state: "NOTPAY" }) } },
    ],
    ["a signature probe", "signtest", { body: paid, sign: { signature: "WECHATPAY/SIGNTEST/kpoxQxLPs9wL" } }],
    [
      "signed by someone else",
      "bad_signature",
      { body: paid, sign: { signature: sign("sha256", Buffer.from("x"), merchant.privateKey).toString("base64") } },
    ],
  ])("refuses an answer %s (%s), whatever it says", async (_what, problem, reply) => {
    const { pay } = client(wechatPay(reply));
    const error = await rejection(pay.queryOrder("SO20260115000001"));
    expect(error).toBeInstanceOf(WeChatPaySignatureError);
    expect(error).toMatchObject({ problem, endpoint: "/v3/pay/transactions/out-trade-no/{out_trade_no}" });
  });

  it("verifies a 204 over its empty body", async () => {
    const { pay } = client(wechatPay({ status: 204 }));
    await expect(pay.closeOrder("SO20260115000001")).resolves.toBe("closed");
    const { pay: tampered } = client(wechatPay({ status: 204, sign: { signedBody: "{}" } }));
    await expect(tampered.closeOrder("SO20260115000001")).rejects.toMatchObject({ problem: "bad_signature" });
  });
});

describe("errors", () => {
  it("turns a signed error answer into WeChatPayApiError with its code, words, detail and Request-ID", async () => {
    const detail = { field: "/amount/total", value: 0, issue: "必须大于0", location: "body" };
    const { pay } = client(
      wechatPay({ status: 400, body: { code: "PARAM_ERROR", message: "参数错误", detail }, requestId: "08F0B1" }),
    );
    const error = await rejection(pay.createJsapiOrder(order));
    expect(error).toBeInstanceOf(WeChatPayApiError);
    expect(error).toMatchObject({
      status: 400,
      code: "PARAM_ERROR",
      wechatMessage: "参数错误",
      detail,
      requestId: "08F0B1",
      verified: true,
      endpoint: "/v3/pay/transactions/jsapi",
    });
  });

  it("takes an unsigned SIGN_ERROR as unverified, and refuses an error whose signature is wrong", async () => {
    const { pay } = client(wechatPay({ status: 401, body: { code: "SIGN_ERROR", message: "签名错误" }, sign: false }));
    expect(await rejection(pay.queryOrder("SO20260115000001"))).toMatchObject({
      code: "SIGN_ERROR",
      verified: false,
      info: { action: "fix_config" },
    });
    const { pay: forged } = client(
      wechatPay({ status: 404, body: { code: "ORDER_NOT_EXIST", message: "订单不存在" }, sign: { signedBody: "x" } }),
    );
    expect(await rejection(forged.queryOrder("SO20260115000001"))).toBeInstanceOf(WeChatPaySignatureError);
  });

  it("retries SYSTEM_ERROR (either spelling) with backoff, signing each attempt afresh", async () => {
    const fake = wechatPay(
      { status: 500, body: { code: "SYSTEMERROR", message: "系统错误" } },
      { status: 500, body: { code: "SYSTEM_ERROR", message: "系统繁忙，请稍后重试" } },
      { body: { prepay_id: "wx2" } },
    );
    const { pay, delays } = client(fake);
    await expect(pay.createJsapiOrder(order)).resolves.toMatchObject({ prepayId: "wx2" });
    expect(fake.seen).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
    expect(new Set(fake.seen.map((s) => s.auth.nonce_str)).size).toBe(3);
    expect(new Set(fake.seen.map((s) => s.body)).size).toBe(1);
  });

  it("gives up after the retries with the last error", async () => {
    const fake = wechatPay({ status: 500, body: { code: "SYSTEM_ERROR", message: "系统繁忙" } });
    const { pay } = client(fake, { retries: 1 });
    expect(await rejection(pay.queryOrder("SO20260115000001"))).toMatchObject({ code: "SYSTEM_ERROR" });
    expect(fake.seen).toHaveLength(2);
  });

  it.each(["FREQUENCY_LIMITED", "ORDER_NOT_EXIST", "OUT_TRADE_NO_USED", "PARAM_ERROR", "NOT_ENOUGH"])(
    "does not retry %s",
    async (code) => {
      const fake = wechatPay({ status: 403, body: { code, message: "x" } });
      const { pay } = client(fake);
      expect(await rejection(pay.createJsapiOrder(order))).toMatchObject({ code });
      expect(fake.seen).toHaveLength(1);
    },
  );

  it("takes a gateway's HTML 502 as a transport error and retries it", async () => {
    const fake = wechatPay({ status: 502, body: "<html>502 Bad Gateway</html>", sign: false }, { body: paid });
    const { pay } = client(fake);
    await expect(pay.queryOrder("SO20260115000001")).resolves.toMatchObject({ tradeState: "SUCCESS" });
    const { pay: once } = client(wechatPay({ status: 502, body: "<html/>", sign: false }), { retries: 0 });
    expect(await rejection(once.queryOrder("SO20260115000001"))).toMatchObject({ kind: "http_status", status: 502 });
  });

  it("fails over to api2 at once on a network error, and stays there for the next call", async () => {
    const fake = wechatPay(new Error("ECONNRESET"), { body: paid }, { body: paid });
    const hosts = new ApiHosts({ primary: BASE, backup: "https://api2.mch.weixin.qq.com", now: () => clock.now });
    const { pay, delays } = client(fake, {}, { baseUrl: hosts });
    await pay.queryOrder("SO20260115000001");
    await pay.queryOrder("SO20260115000001");
    expect(fake.seen.map((s) => s.url.host)).toEqual([
      "api.mch.weixin.qq.com",
      "api2.mch.weixin.qq.com",
      "api2.mch.weixin.qq.com",
    ]);
    expect(fake.seen[1]!.signatureOk).toBe(true);
    expect(delays).toEqual([]);
  });

  it("times out an answer that never comes", async () => {
    vi.useFakeTimers();
    const fake = wechatPay(() => new Promise<Reply>(() => {}));
    const { pay } = client(fake, { timeoutMs: 5000, retries: 0 });
    const pending = rejection(pay.queryOrder("SO20260115000001"));
    await vi.advanceTimersByTimeAsync(5000);
    const error = await pending;
    expect(error).toBeInstanceOf(WeChatTransportError);
    expect(error).toMatchObject({ kind: "timeout" });
  });
});

// ---- each call ----

describe("queryOrder", () => {
  it("reads a paid order into typed values", async () => {
    const { pay } = client(wechatPay({ body: paid }));
    expect(await pay.queryOrder("SO20260115000001")).toEqual({
      appid: APPID,
      mchid: MCHID,
      outTradeNo: "SO20260115000001",
      transactionId: "4200002026011500000000000001",
      tradeType: "JSAPI",
      tradeState: "SUCCESS",
      tradeStateDesc: "支付成功",
      bankType: "OTHERS",
      attach: null,
      successTime: Date.UTC(2026, 0, 15, 8, 0, 5),
      payerOpenid: OPENID,
      amount: { total: 1, payerTotal: 1, currency: "CNY", payerCurrency: "CNY" },
    });
  });

  it("reads an unpaid order, which has no transaction yet", async () => {
    const unpaid = {
      appid: APPID,
      mchid: MCHID,
      out_trade_no: "SO20260115000001",
      trade_state: "NOTPAY",
      trade_state_desc: "订单未支付",
      payer: {},
      amount: { total: 1, payer_currency: "CNY" },
    };
    const { pay } = client(wechatPay({ body: unpaid }));
    expect(await pay.queryOrder("SO20260115000001")).toMatchObject({
      tradeState: "NOTPAY",
      transactionId: null,
      successTime: null,
      payerOpenid: null,
      amount: { total: 1, payerTotal: null },
    });
  });

  it.each<[string, unknown]>([
    ["another order", { ...paid, out_trade_no: "SO20260115000002" }],
    ["another merchant", { ...paid, mchid: "1900000000" }],
    ["another appid", { ...paid, appid: "wx0000000000000000" }],
    ["a paid order without transaction_id", { ...paid, transaction_id: undefined }],
    ["a paid order without payer_total", { ...paid, amount: { total: 1, currency: "CNY" } }],
    ["a fractional amount", { ...paid, amount: { ...paid.amount, total: 0.5 } }],
    ["an amount as a string", { ...paid, amount: { ...paid.amount, total: "1" } }],
    ["an unknown trade_state", { ...paid, trade_state: "MAYBE" }],
    ["a time without offset", { ...paid, success_time: "2026-01-15T16:00:05" }],
  ])("refuses an answer with %s", async (_what, body) => {
    const { pay } = client(wechatPay({ body }));
    expect(await rejection(pay.queryOrder("SO20260115000001"))).toMatchObject({ kind: "bad_response" });
  });

  it("queries by transaction_id too, and wants that transaction back", async () => {
    const fake = wechatPay({ body: paid });
    const { pay } = client(fake);
    await pay.queryOrderByTransactionId("4200002026011500000000000001");
    expect(fake.seen[0]!.url.pathname).toBe("/v3/pay/transactions/id/4200002026011500000000000001");
    await expect(pay.queryOrderByTransactionId("4200002026011500000000000002")).rejects.toMatchObject({
      kind: "bad_response",
    });
  });
});

describe("closeOrder", () => {
  it("sends the mchid and takes ORDER_CLOSED as already closed; ORDERPAID is an error", async () => {
    const fake = wechatPay({ status: 204 }, { status: 400, body: { code: "ORDER_CLOSED", message: "订单已关闭" } });
    const { pay } = client(fake);
    expect(await pay.closeOrder("SO20260115000001")).toBe("closed");
    expect(fake.seen[0]!.url.pathname).toBe("/v3/pay/transactions/out-trade-no/SO20260115000001/close");
    expect(JSON.parse(fake.seen[0]!.body)).toEqual({ mchid: MCHID });
    expect(await pay.closeOrder("SO20260115000001")).toBe("already_closed");
    const { pay: paidPay } = client(wechatPay({ status: 400, body: { code: "ORDERPAID", message: "订单已支付" } }));
    expect(await rejection(paidPay.closeOrder("SO20260115000001"))).toMatchObject({
      code: "ORDERPAID",
      info: { action: "check_order" },
    });
  });
});

describe("refunds", () => {
  it("asks for a refund by out_trade_no and reads it", async () => {
    const fake = wechatPay({ body: refundBody });
    const { pay } = client(fake);
    const refund = await pay.refund({
      outTradeNo: "SO20260115000001",
      outRefundNo: "RF20260115000001",
      refund: 30,
      total: 100,
      reason: "商品缺货",
      notifyUrl: "https://app.example.com/api/pay/notify",
    });
    expect(JSON.parse(fake.seen[0]!.body)).toEqual({
      out_trade_no: "SO20260115000001",
      out_refund_no: "RF20260115000001",
      reason: "商品缺货",
      notify_url: "https://app.example.com/api/pay/notify",
      amount: { refund: 30, total: 100, currency: "CNY" },
    });
    expect(refund).toEqual({
      refundId: "50300002026011500000000000001",
      outRefundNo: "RF20260115000001",
      transactionId: "4200002026011500000000000001",
      outTradeNo: "SO20260115000001",
      channel: "ORIGINAL",
      userReceivedAccount: "支付用户零钱",
      status: "PROCESSING",
      createTime: Date.UTC(2026, 0, 15, 8, 1),
      successTime: null,
      fundsAccount: "AVAILABLE",
      amount: { total: 100, refund: 30, payerTotal: 100, payerRefund: 30, currency: "CNY" },
    });
  });

  it("refunds by transaction_id, queries a refund, and wants the refund asked about", async () => {
    const fake = wechatPay({ body: refundBody });
    const { pay } = client(fake);
    await pay.refund({
      transactionId: "4200002026011500000000000001",
      outRefundNo: "RF20260115000001",
      refund: 30,
      total: 100,
    });
    expect(JSON.parse(fake.seen[0]!.body)).toMatchObject({ transaction_id: "4200002026011500000000000001" });
    await pay.queryRefund("RF20260115000001");
    expect(fake.seen[1]!.url.pathname).toBe("/v3/refund/domestic/refunds/RF20260115000001");
    expect(fake.seen[1]!.method).toBe("GET");
    await expect(pay.queryRefund("RF20260115000002")).rejects.toMatchObject({ kind: "bad_response" });
  });

  it("passes WeChat Pay's refusal of a refund above what is left", async () => {
    const { pay } = client(
      wechatPay({ status: 400, body: { code: "INVALID_REQUEST", message: "申请退款金额超过订单可退金额" } }),
    );
    expect(
      await rejection(pay.refund({ outTradeNo: "SO20260115000001", outRefundNo: "RF2", refund: 80, total: 100 })),
    ).toMatchObject({ code: "INVALID_REQUEST", wechatMessage: "申请退款金额超过订单可退金额" });
  });
});

describe("signBridgeRequest", () => {
  it("signs appId, timeStamp, nonceStr and package with the merchant key", () => {
    const { pay } = client(wechatPay({}));
    const request = pay.signBridgeRequest("wx15160000000000000000000000000001");
    expect(request).toEqual({
      appId: APPID,
      timeStamp: String(NOW_S),
      nonceStr: expect.stringMatching(/^[A-Z0-9]{32}$/),
      package: "prepay_id=wx15160000000000000000000000000001",
      signType: "RSA",
      paySign: expect.any(String),
    });
    const message = `${APPID}\n${NOW_S}\n${request.nonceStr}\nprepay_id=wx15160000000000000000000000000001\n`;
    expect(createVerify("sha256").update(message).verify(merchant.publicKey, request.paySign, "base64")).toBe(true);
    expect(() => pay.signBridgeRequest("wx1&package=x")).toThrow(TypeError);
  });
});

// ---- notifications ----

interface NotifyOptions extends Signing {
  readonly eventType?: string;
  readonly originalType?: string;
  readonly associatedData?: string;
  /** Encrypt with this key instead of ours. */
  readonly key?: string;
  readonly algorithm?: string;
  /** Change the ciphertext after encrypting. */
  readonly alterCiphertext?: boolean;
  /** Send this associated_data instead of the one encrypted with. */
  readonly sentAssociatedData?: string;
}

function notification(resource: unknown, options: NotifyOptions = {}) {
  const nonce = randomBytes(6).toString("hex");
  const associatedData = options.associatedData ?? options.originalType ?? "transaction";
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(options.key ?? APIV3_KEY), Buffer.from(nonce));
  cipher.setAAD(Buffer.from(associatedData));
  const encrypted = Buffer.concat([
    cipher.update(JSON.stringify(resource), "utf8"),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  if (options.alterCiphertext) encrypted[0] = encrypted[0]! ^ 1;
  const body = JSON.stringify({
    id: "EV-2026011516000500001",
    create_time: "2026-01-15T16:00:06+08:00",
    resource_type: "encrypt-resource",
    event_type: options.eventType ?? "TRANSACTION.SUCCESS",
    summary: "支付成功",
    resource: {
      original_type: options.originalType ?? "transaction",
      algorithm: options.algorithm ?? "AEAD_AES_256_GCM",
      ciphertext: encrypted.toString("base64"),
      associated_data: options.sentAssociatedData ?? associatedData,
      nonce,
    },
  });
  return { headers: signAnswer(body, options), body };
}

const refundNotice = {
  mchid: MCHID,
  out_trade_no: "SO20260115000001",
  transaction_id: "4200002026011500000000000001",
  out_refund_no: "RF20260115000001",
  refund_id: "50300002026011500000000000001",
  refund_status: "SUCCESS",
  success_time: "2026-01-15T16:05:00+08:00",
  user_received_account: "支付用户零钱",
  amount: { total: 100, refund: 30, payer_total: 100, payer_refund: 30 },
};

describe("notifications", () => {
  const { pay } = client(wechatPay({}));

  it("opens a payment: verified, decrypted, validated into a transaction", () => {
    const { headers, body } = notification(paid);
    const opened = pay.openNotification(headers, body);
    expect(opened).toMatchObject({
      kind: "transaction",
      id: "EV-2026011516000500001",
      eventType: "TRANSACTION.SUCCESS",
      createTime: Date.UTC(2026, 0, 15, 8, 0, 6),
      summary: "支付成功",
      transaction: { outTradeNo: "SO20260115000001", tradeState: "SUCCESS", amount: { total: 1, payerTotal: 1 } },
    });
  });

  it("reads headers from a fetch Headers as well as from node's lower-case record", () => {
    const { headers, body } = notification(paid);
    expect(pay.openNotification(new Headers(headers), body).kind).toBe("transaction");
  });

  it("opens a refund's outcome", () => {
    const { headers, body } = notification(refundNotice, { eventType: "REFUND.SUCCESS", originalType: "refund" });
    expect(pay.openNotification(headers, body)).toMatchObject({
      kind: "refund",
      eventType: "REFUND.SUCCESS",
      refund: { outRefundNo: "RF20260115000001", refundStatus: "SUCCESS", amount: { refund: 30, total: 100 } },
    });
  });

  it.each<[string, NotifyOptions, string]>([
    ["a signature probe", { signature: "WECHATPAY/SIGNTEST/abc" }, "signtest"],
    ["a stale timestamp", { timestamp: NOW_S - 301 }, "stale"],
    ["another key id", { serial: "PUB_KEY_ID_0000000000000000000000000000000000" }, "unknown_serial"],
    ["a body altered after signing", { signedBody: "{}" }, "bad_signature"],
  ])("refuses %s", (_what, options, problem) => {
    const { headers, body } = notification(paid, options);
    const error = thrown(() => pay.openNotification(headers, body));
    expect(error).toBeInstanceOf(WeChatPaySignatureError);
    expect(error).toMatchObject({ problem, endpoint: null });
  });

  it("refuses a notification without its headers", () => {
    const { headers, body } = notification(paid);
    const { ["wechatpay-nonce"]: _dropped, ...rest } = headers;
    expect(thrown(() => pay.openNotification(rest, body))).toMatchObject({ problem: "missing_headers" });
  });

  it.each<[string, unknown, NotifyOptions, string]>([
    ["encrypted with another APIv3 key", paid, { key: "0123456789abcdef0123456789abcdef" }, "decrypt_failed"],
    ["with altered associated data", paid, { sentAssociatedData: "refund" }, "decrypt_failed"],
    ["with an altered ciphertext", paid, { alterCiphertext: true }, "decrypt_failed"],
    ["of another algorithm", paid, { algorithm: "AEAD_SM4_GCM" }, "unsupported"],
    ["of an unknown event", paid, { eventType: "TRANSACTION.REFUNDED" }, "unsupported"],
    ["whose event and type disagree", paid, { originalType: "refund" }, "bad_body"],
    ["for another merchant", { ...paid, mchid: "1900000000" }, {}, "foreign_merchant"],
    ["for another appid", { ...paid, appid: "wx0000000000000000" }, {}, "foreign_merchant"],
    ["saying SUCCESS of an unpaid order", { ...paid, trade_state: "NOTPAY" }, {}, "bad_resource"],
    ["with a fractional amount", { ...paid, amount: { ...paid.amount, total: 0.01 } }, {}, "bad_resource"],
    [
      "of a refund whose status is not the event's",
      { ...refundNotice, refund_status: "ABNORMAL" },
      { eventType: "REFUND.SUCCESS", originalType: "refund" },
      "bad_resource",
    ],
    [
      "of a refund for another merchant",
      { ...refundNotice, mchid: "1900000000" },
      { eventType: "REFUND.SUCCESS", originalType: "refund" },
      "foreign_merchant",
    ],
  ])("refuses a notification %s", (_what, resource, options, problem) => {
    const { headers, body } = notification(resource, options);
    const error = thrown(() => pay.openNotification(headers, body));
    expect(error).toBeInstanceOf(WeChatPayNotificationError);
    expect(error).toMatchObject({ problem });
  });

  it("refuses a signed body that is not the documented envelope", () => {
    const body = JSON.stringify({ id: "EV-1", event_type: "TRANSACTION.SUCCESS" });
    expect(thrown(() => pay.verifyNotification(signAnswer(body), body))).toMatchObject({ problem: "bad_body" });
    expect(thrown(() => pay.verifyNotification(signAnswer("not json"), "not json"))).toMatchObject({
      problem: "bad_body",
    });
  });

  it('decrypts the official AEAD vector through decryptResource (wechatpay-java\'s key and "message")', () => {
    const { pay: javaKey } = client(wechatPay({}), {}, { apiV3Key: "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb" });
    const resource = {
      algorithm: "AEAD_AES_256_GCM",
      ciphertext: "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=",
      nonce: "uluk4a9R25RW",
      associatedData: "associatedData",
      originalType: "transaction",
    };
    expect(javaKey.decryptResource(resource)).toBe("message");
    expect(thrown(() => pay.decryptResource(resource))).toMatchObject({ problem: "decrypt_failed" });
  });
});

describe("configuration", () => {
  it("refuses an APIv3 key that is not 32 bytes, a short RSA key, a base with a path, a mchid with a quote", () => {
    expect(() => client(wechatPay({}), {}, { apiV3Key: "short" })).toThrow(/32 bytes/);
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    expect(() => client(wechatPay({}), {}, { merchantPrivateKey: small })).toThrow(/2048/);
    expect(() => client(wechatPay({}), {}, { baseUrl: "https://api.mch.weixin.qq.com/v3" })).toThrow(/origin/);
    expect(() => client(wechatPay({}), {}, { mchid: '19",x="' })).toThrow(/mchid/);
  });

  it("keeps the private key and the APIv3 key out of inspection and JSON", () => {
    const { pay } = client(wechatPay({}));
    const shown = `${inspect(pay, { depth: 5, showHidden: true })} ${JSON.stringify(pay)}`;
    expect(shown).not.toContain(APIV3_KEY);
    expect(shown).not.toContain("PRIVATE KEY");
    expect(shown).toContain(MCHID);
  });
});
