/**
 * WeChat Pay's notifications from the simulator to a node:http server playing the app's notify_url:
 * what is sent (signed, encrypted), the retry schedule on the simulator clock, the 5-second wait (replaced
 * so that nothing sleeps), and the scripted faults.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RETRY_SCHEDULE_SECONDS, startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";
import {
  decryptResource,
  jsapiBody,
  merchantCall,
  notifyEndpoint,
  verifyWechatpay,
  type Received,
} from "./test-helpers";

let sim: Simulator;
let app: Awaited<ReturnType<typeof notifyEndpoint>>;
/** The 5-second wait of each attempt: resolved by the test when it wants an attempt to time out. */
let timeouts: (() => void)[] = [];

beforeAll(async () => {
  app = await notifyEndpoint();
  sim = await startSimulator({
    startTime: START_TIME,
    pay: { waitForTimeout: () => new Promise<void>((resolve) => timeouts.push(resolve)) },
  });
});
afterAll(async () => {
  await sim.close();
  await app.close();
});
beforeEach(() => {
  sim.reset();
  app.received.length = 0;
  app.setAnswer(() => 204);
  timeouts = [];
});

async function paid(total = 100, outTradeNo = "SO20260115000001") {
  const body = jsapiBody(sim, app.url, { out_trade_no: outTradeNo, amount: { total, currency: "CNY" } });
  expect((await merchantCall(sim, "/v3/pay/transactions/jsapi", { body })).status).toBe(200);
  expect(sim.pay.confirm({ outTradeNo }).errMsg).toBe("get_brand_wcpay_request:ok");
  await sim.pay.settled();
}

const headers = (r: Received) => ({ get: (name: string) => (r.headers[name] as string | undefined) ?? null });
const envelope = (r: Received) =>
  JSON.parse(r.body) as { id: string; event_type: string; resource: Record<string, string> } & Record<string, unknown>;
const resourceOf = (r: Received) =>
  JSON.parse(decryptResource(sim.pay.merchant().apiV3Key, envelope(r).resource)) as Record<string, unknown>;

describe("a payment's notification", () => {
  it("is POSTed to notify_url, signed with the platform key, its resource the transaction encrypted with the APIv3 key", async () => {
    await paid(100);
    expect(app.received).toHaveLength(1);
    const [r] = app.received;
    expect(r!.headers["content-type"]).toBe("application/json");
    expect(r!.headers["wechatpay-serial"]).toBe(sim.pay.merchant().wechatpayPublicKeyId);
    expect(r!.headers["wechatpay-timestamp"]).toBe(String(START_TIME / 1000));
    expect(verifyWechatpay(sim, headers(r!), r!.body)).toBe(true);
    expect(envelope(r!)).toMatchObject({
      create_time: "2026-01-15T16:00:00+08:00",
      resource_type: "encrypt-resource",
      event_type: "TRANSACTION.SUCCESS",
      summary: "支付成功",
      resource: { original_type: "transaction", algorithm: "AEAD_AES_256_GCM", associated_data: "transaction" },
    });
    expect(envelope(r!).resource.nonce).toHaveLength(12);
    const order = sim.pay.order("SO20260115000001")!;
    expect(resourceOf(r!)).toMatchObject({
      appid: sim.pay.merchant().appid,
      mchid: sim.pay.mchid,
      out_trade_no: "SO20260115000001",
      transaction_id: order.transactionId,
      trade_state: "SUCCESS",
      success_time: "2026-01-15T16:00:00+08:00",
      payer: { openid: sim.users[0]!.openid },
      amount: { total: 100, payer_total: 100, currency: "CNY" },
    });
    expect(sim.pay.notifications()[0]).toMatchObject({
      state: "delivered",
      attempts: [{ n: 1, statuses: [204], ok: true }],
    });
  });

  it("takes 200 as received too, and anything else as a failure", async () => {
    app.setAnswer(() => 200);
    await paid(100, "SO20260115000001");
    app.setAnswer(() => 202);
    await paid(100, "SO20260115000002");
    expect(sim.pay.notifications().map((n) => n.state)).toEqual(["delivered", "pending"]);
  });

  it("is retried on WeChat Pay's schedule by the simulator clock, signed afresh each time, 16 attempts over 24 h 4 min", async () => {
    app.setAnswer(() => 500);
    await paid();
    let elapsed = 0;
    for (const [i, wait] of RETRY_SCHEDULE_SECONDS.entries()) {
      sim.advance(wait - 1);
      await sim.pay.settled();
      expect(app.received, `not before ${wait} s`).toHaveLength(i + 1);
      sim.advance(1);
      await sim.pay.settled();
      elapsed += wait;
      expect(app.received).toHaveLength(i + 2);
      const last = app.received.at(-1)!;
      expect(last.headers["wechatpay-timestamp"]).toBe(String(START_TIME / 1000 + elapsed));
      expect(verifyWechatpay(sim, headers(last), last.body)).toBe(true);
      expect(envelope(last).id).toBe(envelope(app.received[0]!).id);
    }
    expect(elapsed).toBe(24 * 3600 + 4 * 60);
    const record = sim.pay.notifications()[0]!;
    expect(record).toMatchObject({ state: "failed", nextAt: null });
    expect(record.attempts).toHaveLength(16);
    sim.advance(24 * 3600);
    await sim.pay.settled();
    expect(app.received).toHaveLength(16);
  });

  it("stops retrying once answered", async () => {
    app.setAnswer(() => 500);
    await paid();
    app.setAnswer(() => 204);
    sim.advance(15);
    await sim.pay.settled();
    sim.advance(3600);
    await sim.pay.settled();
    expect(app.received).toHaveLength(2);
    expect(sim.pay.notifications()[0]).toMatchObject({ state: "delivered" });
  });

  it("gives up on an attempt with no answer in 5 seconds and retries it", async () => {
    let hold: () => void = () => {};
    app.setAnswer(() => new Promise<number>((resolve) => (hold = () => resolve(204))));
    const body = jsapiBody(sim, app.url);
    await merchantCall(sim, "/v3/pay/transactions/jsapi", { body });
    sim.pay.confirm({ outTradeNo: "SO20260115000001" });
    while (timeouts.length === 0 || app.received.length === 0) await new Promise((resolve) => setImmediate(resolve));
    timeouts.shift()!();
    await sim.pay.settled();
    hold();
    expect(sim.pay.notifications()[0]!.attempts[0]).toMatchObject({ timedOut: true, statuses: [null], ok: false });
    app.setAnswer(() => 204);
    sim.advance(15);
    await sim.pay.settled();
    expect(sim.pay.notifications()[0]).toMatchObject({ state: "delivered" });
  });

  it("retries an app that cannot be reached", async () => {
    const body = jsapiBody(sim, "http://127.0.0.1:1/api/pay/notify");
    await merchantCall(sim, "/v3/pay/transactions/jsapi", { body });
    sim.pay.confirm({ outTradeNo: "SO20260115000001" });
    await sim.pay.settled();
    const record = sim.pay.notifications()[0]!;
    expect(record.state).toBe("pending");
    expect(record.attempts[0]).toMatchObject({ ok: false, statuses: [null], error: expect.any(String) });
    expect(record.nextAt).toBe(START_TIME + 15_000);
  });

  it("shrinks the schedule by retryScale", async () => {
    sim.pay.notifier.configure({ retryScale: 0.001 });
    app.setAnswer(() => 500);
    await paid();
    expect(sim.pay.notifications()[0]!.nextAt).toBe(START_TIME + 15);
  });

  it("is held in manual mode until flushed", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body) });
    expect((await post("/__sim/pay/notify/mode", { mode: "manual" })).status).toBe(200);
    await paid();
    expect(app.received).toHaveLength(0);
    expect(sim.pay.notifications()[0]!.state).toBe("held");
    expect(await (await post("/__sim/pay/notify/flush", {})).json()).toEqual({ ok: true, flushed: 1 });
    expect(app.received).toHaveLength(1);
    const listed = (await (await fetch(`${sim.url}/__sim/pay/notifications`)).json()) as Record<string, unknown>[];
    expect(listed[0]).toMatchObject({
      state: "delivered",
      eventType: "TRANSACTION.SUCCESS",
      outTradeNo: "SO20260115000001",
    });
    expect(listed[0]!.body).toBeUndefined();
  });
});

describe("scripted notification faults", () => {
  const fault = (body: unknown) =>
    fetch(`${sim.url}/__sim/pay/notify/fault`, { method: "POST", body: JSON.stringify(body) });

  it("never sends a dropped notification: only a query can tell the app", async () => {
    expect((await fault({ fault: { kind: "drop" } })).status).toBe(200);
    await paid();
    sim.advance(86_400);
    await sim.pay.settled();
    expect(app.received).toHaveLength(0);
    expect(sim.pay.notifications()[0]!.state).toBe("dropped");
    expect(
      (await merchantCall(sim, `/v3/pay/transactions/out-trade-no/SO20260115000001?mchid=${sim.pay.mchid}`)).json
        .trade_state,
    ).toBe("SUCCESS");
  });

  it("sends 5 identical copies at once", async () => {
    // The app answers none until all 5 are in: sent one after another, they would never all arrive.
    const waiting: (() => void)[] = [];
    app.setAnswer(
      () =>
        new Promise<number>((resolve) => {
          waiting.push(() => resolve(204));
          if (waiting.length === 5) for (const release of waiting) release();
        }),
    );
    await fault({ fault: { kind: "duplicate", copies: 5 } });
    await paid();
    expect(app.received).toHaveLength(5);
    expect(new Set(app.received.map((r) => r.body)).size).toBe(1);
    expect(sim.pay.notifications()[0]!.attempts[0]).toMatchObject({
      statuses: [204, 204, 204, 204, 204],
      fault: "duplicate",
    });
  });

  it("probes with a SIGNTEST signature first, and records whether the app refused it", async () => {
    app.setAnswer((r) => (String(r.headers["wechatpay-signature"]).startsWith("WECHATPAY/SIGNTEST/") ? 401 : 204));
    await fault({ fault: { kind: "signtest" } });
    await paid();
    expect(app.received).toHaveLength(2);
    expect(app.received[0]!.headers["wechatpay-signature"]).toMatch(/^WECHATPAY\/SIGNTEST\//);
    expect(app.received[0]!.body).toBe(app.received[1]!.body);
    expect(sim.pay.notifications()[0]).toMatchObject({ probeStatus: 401, state: "delivered" });
  });

  it("reports an amount other than the order's, signed: WeChat Pay says so, the app must compare", async () => {
    await fault({ fault: { kind: "amount", total: 1 } });
    await paid(100);
    const [r] = app.received;
    expect(verifyWechatpay(sim, headers(r!), r!.body)).toBe(true);
    expect(resourceOf(r!)).toMatchObject({ amount: { total: 1, payer_total: 1 } });
    expect(sim.pay.order("SO20260115000001")!.total).toBe(100);
  });

  it.each<[string, (r: Received) => void]>([
    ["stale", (r) => expect(Number(r.headers["wechatpay-timestamp"])).toBe(START_TIME / 1000 - 600)],
    ["bad_signature", (r) => expect(verifyWechatpay(sim, headers(r), r.body)).toBe(false)],
    ["unknown_serial", (r) => expect(r.headers["wechatpay-serial"]).not.toBe(sim.pay.merchant().wechatpayPublicKeyId)],
    ["wrong_key", (r) => expect(() => resourceOf(r)).toThrow()],
  ])("sends a first attempt that the app must refuse: %s; the retry is sound", async (kind, check) => {
    app.setAnswer((r) => (r === app.received[0] ? 400 : 204));
    await fault({ fault: { kind } });
    await paid();
    check(app.received[0]!);
    sim.advance(15);
    await sim.pay.settled();
    const retry = app.received[1]!;
    if (kind === "wrong_key") {
      // The key is the notification's, not the attempt's: every attempt carries the same ciphertext.
      expect(retry.body).toBe(app.received[0]!.body);
    } else {
      expect(verifyWechatpay(sim, headers(retry), retry.body)).toBe(true);
      expect(resourceOf(retry)).toMatchObject({ trade_state: "SUCCESS" });
    }
  });

  it("refuses malformed faults", async () => {
    expect((await fault({ fault: { kind: "duplicate", copies: 1 } })).status).toBe(400);
    expect((await fault({ fault: { kind: "amount", total: 0.5 } })).status).toBe(400);
    expect((await fault({ fault: { kind: "maybe" } })).status).toBe(400);
  });
});

describe("a refund's notification", () => {
  it("goes to the refund's notify_url as REFUND.SUCCESS, and nowhere without one", async () => {
    await paid(100);
    app.received.length = 0;
    const refund = (no: string, extra: Record<string, unknown>) =>
      merchantCall(sim, "/v3/refund/domestic/refunds", {
        body: {
          out_trade_no: "SO20260115000001",
          out_refund_no: no,
          amount: { refund: 30, total: 100, currency: "CNY" },
          ...extra,
        },
      });
    expect((await refund("RF1", { notify_url: app.url })).status).toBe(200);
    await sim.pay.settled();
    expect(app.received).toHaveLength(1);
    const [r] = app.received;
    expect(verifyWechatpay(sim, headers(r!), r!.body)).toBe(true);
    expect(envelope(r!)).toMatchObject({
      event_type: "REFUND.SUCCESS",
      resource: { original_type: "refund", associated_data: "refund" },
    });
    expect(resourceOf(r!)).toMatchObject({
      mchid: sim.pay.mchid,
      out_trade_no: "SO20260115000001",
      out_refund_no: "RF1",
      refund_status: "SUCCESS",
      amount: { total: 100, refund: 30, payer_total: 100, payer_refund: 30 },
    });
    expect((await refund("RF2", {})).status).toBe(200);
    await sim.pay.settled();
    expect(app.received).toHaveLength(1);
  });

  it("reports an abnormal refund as REFUND.ABNORMAL", async () => {
    sim.pay.setRefundMode("manual");
    await paid(100);
    app.received.length = 0;
    await merchantCall(sim, "/v3/refund/domestic/refunds", {
      body: {
        out_trade_no: "SO20260115000001",
        out_refund_no: "RF1",
        notify_url: app.url,
        amount: { refund: 100, total: 100, currency: "CNY" },
      },
    });
    await sim.pay.settled();
    expect(app.received).toHaveLength(0);
    sim.pay.completeRefund("RF1", "ABNORMAL");
    await sim.pay.settled();
    expect(envelope(app.received[0]!).event_type).toBe("REFUND.ABNORMAL");
    expect(resourceOf(app.received[0]!)).toMatchObject({ refund_status: "ABNORMAL" });
  });
});
