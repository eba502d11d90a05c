// POST /api/pay/notify as a handler, fed by the simulator's WeChat Pay (its fetch calls the route): 204
// once applied and a replay applied once; a SIGNTEST probe, a stale and a badly signed attempt 401 in
// WeChat Pay's failure shape; another amount an incident (answered, not applied); a refund's notification
// (three copies) applied once. Both databases.
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "@/simulator/server";
import { WeChatPay } from "@/lib/wechat/pay";

const APP_URL = "http://localhost:3000";
const KEYS = ["DATABASE_URL", "APP_URL", "WECHAT_PAY_BASE"] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));

forEachDatabase((_kind, database) => {
  let sim: Simulator;
  let notify: (request: Request) => Promise<Response>;
  const seen: { status: number; body: string }[] = [];

  beforeAll(async () => {
    // The simulator on the real clock (the route's), its 5-second wait never reached.
    sim = await startSimulator({
      pay: {
        waitForTimeout: () => new Promise(() => {}),
        fetch: async (url, init) => {
          const res = await notify(new Request(url, { method: "POST", headers: init?.headers, body: init?.body }));
          const body = await res.text();
          seen.push({ status: res.status, body });
          return { status: res.status, text: async () => body };
        },
      },
    });
    process.env.DATABASE_URL = database().url;
    process.env.APP_URL = APP_URL;
    process.env.WECHAT_PAY_BASE = sim.url;
    vi.resetModules();
    (globalThis as { wcucDb?: unknown }).wcucDb = database().db;
    notify = (await import("./route")).POST;
  });
  afterAll(async () => {
    await sim.close();
    for (const key of KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    vi.resetModules();
    delete (globalThis as { wcucDb?: unknown }).wcucDb;
  });
  beforeEach(async () => {
    sim.reset();
    seen.length = 0;
    const { db } = database();
    await db.payIncident.deleteMany();
    await db.payOrder.deleteMany();
  });

  async function order(amount = 100) {
    const m = sim.pay.merchant();
    const pay = new WeChatPay({ ...m, merchantPrivateKey: m.merchantPrivateKey!, baseUrl: sim.url });
    const outTradeNo = `SO${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    const row = await database().db.payOrder.create({
      data: {
        appId: SIM_DEFAULTS.appId,
        mchid: m.mchid,
        outTradeNo,
        userId: "u1",
        openid: sim.users[0]!.openid,
        description: "会员月卡",
        amount,
        state: "unpaid",
        caller: "internal",
        expiresAt: new Date(Date.now() + 1800_000),
        createdAt: new Date(),
      },
    });
    await pay.createJsapiOrder({
      outTradeNo,
      description: row.description,
      amount,
      payerOpenid: row.openid,
      notifyUrl: `${APP_URL}/api/pay/notify`,
    });
    sim.pay.confirm({ outTradeNo });
    await sim.pay.settled();
    return row;
  }

  it("applies a notification (204) and a replay of it once", async () => {
    sim.pay.notifier.script({ kind: "duplicate", copies: 3 });
    const row = await order();
    expect(seen.map((s) => s.status)).toEqual([204, 204, 204]);
    expect(await database().db.payOrder.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ state: "paid" });
    expect(await database().db.payOrderEvent.count({ where: { orderId: row.id, kind: "paid" } })).toBe(1);
  });

  it.each([["signtest"], ["stale"], ["bad_signature"]] as const)("refuses a %s attempt with 401", async (kind) => {
    sim.pay.notifier.script({ kind });
    const row = await order();
    expect(seen[0]!.status).toBe(401);
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ code: "FAIL" });
    const state = (await database().db.payOrder.findUniqueOrThrow({ where: { id: row.id } })).state;
    // The probe is followed by the genuine notification; the others are retried later.
    expect(state).toBe(kind === "signtest" ? "paid" : "unpaid");
  });

  it("records another amount as an incident, not applied", async () => {
    sim.pay.notifier.script({ kind: "amount", total: 1 });
    const row = await order(100);
    expect(seen[0]!.status).toBe(204);
    expect((await database().db.payOrder.findUniqueOrThrow({ where: { id: row.id } })).state).toBe("unpaid");
    expect(await database().db.payIncident.count({ where: { orderId: row.id, kind: "amount_mismatch" } })).toBe(1);
  });

  it("applies a refund notification (204 to each of three copies) once", async () => {
    const row = await order(100);
    const { db } = database();
    await db.payOrder.update({ where: { id: row.id }, data: { state: "paid", refundReserved: 40 } });
    const refund = await db.payRefund.create({
      data: {
        orderId: row.id,
        outRefundNo: `RF${Date.now()}`,
        amount: 40,
        reason: "退货",
        createdBy: "internal",
        state: "pending",
        createdAt: new Date(),
      },
    });
    const m = sim.pay.merchant();
    const pay = new WeChatPay({ ...m, merchantPrivateKey: m.merchantPrivateKey!, baseUrl: sim.url });
    sim.pay.setRefundMode("manual");
    await pay.refund({
      outTradeNo: row.outTradeNo,
      outRefundNo: refund.outRefundNo,
      refund: 40,
      total: 100,
      notifyUrl: `${APP_URL}/api/pay/notify`,
    });
    seen.length = 0;
    sim.pay.notifier.script({ kind: "duplicate", copies: 3 });
    sim.pay.completeRefund(refund.outRefundNo, "SUCCESS");
    await sim.pay.settled();
    expect(seen.map((s) => s.status)).toEqual([204, 204, 204]);
    expect(await db.payRefund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ state: "success" });
    expect(await db.payOrder.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ refundedAmount: 40 });
    expect(await db.payOrderEvent.count({ where: { orderId: row.id, kind: "refund_success" } })).toBe(1);
  });
});
