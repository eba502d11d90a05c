// POST /api/internal/pay/orders/<id>/refunds as a handler with Requests, on both databases, the merchant
// read from the in-process simulator: 201 the refund and 200 for its key again, the order's view listing
// it; 400 naming what is wrong, 401 without the bearer, 404 for an unknown order, 409 beyond what was
// paid, 404 pay_disabled when payments are off.
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { WeChatPay } from "@/lib/wechat/pay";
import { forEachDatabase, type TestDatabase } from "@/test/support/db";
import { startSimulator, SIM_DEFAULTS, type Simulator } from "@/simulator/server";

const APP_URL = "http://localhost:3000";
const SECRET = "route-test-internal-secret-0123456789abcdefgh";
const KEYS = ["DATABASE_URL", "APP_URL", "INTERNAL_API_SECRET", "WECHAT_PAY_BASE", "PAY_ALLOWED_ORIGINS"] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function load(values: Partial<Record<(typeof KEYS)[number], string>>) {
  for (const key of KEYS) {
    if (values[key] === undefined) delete process.env[key];
    else process.env[key] = values[key];
  }
  vi.resetModules();
  const [create, one, refunds] = await Promise.all([import("../../route"), import("../route"), import("./route")]);
  return { create: create.POST as Handler, get: one.GET as Handler, refund: refunds.POST as Handler };
}

const headers = (secret: string | null) => ({
  ...(secret === null ? {} : { authorization: `Bearer ${secret}` }),
  "content-type": "application/json",
});

forEachDatabase((_kind, database) => {
  let sim: Simulator;
  let routes: Awaited<ReturnType<typeof load>>;
  const env = (db: TestDatabase) => ({
    DATABASE_URL: db.url,
    APP_URL,
    INTERNAL_API_SECRET: SECRET,
    WECHAT_PAY_BASE: sim.url,
    PAY_ALLOWED_ORIGINS: "https://shop.example.com",
  });
  const refund = (id: string, body: unknown, secret: string | null = SECRET) =>
    routes.refund(
      new Request(`${APP_URL}/api/internal/pay/orders/${id}/refunds`, {
        method: "POST",
        headers: headers(secret),
        body: JSON.stringify(body),
      }),
      { params: Promise.resolve({ id }) },
    );

  beforeAll(async () => {
    // Notifications stay in the simulator (the route under test is not the notify endpoint).
    sim = await startSimulator({ pay: { fetch: async () => ({ status: 204, text: async () => "" }) } });
    (globalThis as { wcucDb?: unknown }).wcucDb = database().db;
    routes = await load(env(database()));
  });
  beforeEach(async () => {
    sim.reset();
    const { db } = database();
    await db.payOrder.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
    await db.user.create({
      data: { identities: { create: { appid: SIM_DEFAULTS.appId, openid: sim.users[0]!.openid } } },
    });
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

  /** An order made through the API and paid at the simulator (our row marked paid as a notification would). */
  async function paidOrder(amount = 100): Promise<string> {
    const made = await routes.create(
      new Request(`${APP_URL}/api/internal/pay/orders`, {
        method: "POST",
        headers: headers(SECRET),
        body: JSON.stringify({ openid: sim.users[0]!.openid, description: "会员月卡", amount, idempotencyKey: "o1" }),
      }),
    );
    const { id, outTradeNo } = (await made.json()) as { id: string; outTradeNo: string };
    const m = sim.pay.merchant();
    const pay = new WeChatPay({ ...m, merchantPrivateKey: m.merchantPrivateKey!, baseUrl: sim.url });
    await pay.createJsapiOrder({
      outTradeNo,
      description: "会员月卡",
      amount,
      payerOpenid: sim.users[0]!.openid,
      notifyUrl: `${APP_URL}/api/pay/notify`,
    });
    const { transactionId } = sim.pay.confirm({ outTradeNo });
    await database().db.payOrder.update({
      where: { id },
      data: { state: "paid", paidAt: new Date(), transactionId: transactionId! },
    });
    return id;
  }

  it("refunds (201), answers the same key with the same refund (200), and lists it in the order", async () => {
    const id = await paidOrder();
    const first = await refund(id, { amount: 30, reason: "商品缺货", idempotencyKey: "refund-1" });
    expect(first.status).toBe(201);
    const made = (await first.json()) as Record<string, unknown>;
    expect(made).toMatchObject({ amount: 30, reason: "商品缺货", createdBy: "internal", error: null });
    expect(["processing", "success"]).toContain(made.status);
    expect(made.outRefundNo).toMatch(/^RF\d{14}[A-Z0-9]{12}$/);
    const again = await refund(id, { amount: 30, reason: "商品缺货", idempotencyKey: "refund-1" });
    expect(again.status).toBe(200);
    expect((await again.json()).id).toBe(made.id);
    const reused = await refund(id, { amount: 31, reason: "商品缺货", idempotencyKey: "refund-1" });
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ error: { code: "pay_key_reused" } });
    const shown = await routes.get(
      new Request(`${APP_URL}/api/internal/pay/orders/${id}`, { headers: headers(SECRET) }),
      { params: Promise.resolve({ id }) },
    );
    expect(await shown.json()).toMatchObject({ id, refunds: [{ id: made.id, amount: 30 }] });
    const beyond = await refund(id, { amount: 71, reason: "超额", idempotencyKey: "refund-2" });
    expect(beyond.status).toBe(409);
    expect(await beyond.json()).toMatchObject({ error: { code: "pay_refund_exceeds", refundable: 70 } });
    expect(
      sim.pay.order((await database().db.payOrder.findUniqueOrThrow({ where: { id } })).outTradeNo)!.refunds,
    ).toHaveLength(1);
  });

  it("answers 400 with the issues for a bad body, 401 without the bearer, 404 for an unknown order", async () => {
    const id = await paidOrder();
    for (const body of [
      { amount: 0, reason: "退货", idempotencyKey: "k" },
      { amount: 1.5, reason: "退货", idempotencyKey: "k" },
      { amount: 1, reason: "", idempotencyKey: "k" },
      { amount: 1, reason: "退".repeat(27), idempotencyKey: "k" },
      { amount: 1, reason: "退货" },
      { amount: 1, reason: "退货", idempotencyKey: "k", extra: true },
    ]) {
      const bad = await refund(id, body);
      expect(bad.status).toBe(400);
      const answer = (await bad.json()) as { error: { code: string; message: string; issues: string[] } };
      expect(answer.error).toMatchObject({ code: "bad_request", message: "请求参数有误。" });
      expect(answer.error.issues.length).toBeGreaterThan(0);
    }
    expect(await database().db.payRefund.count()).toBe(0);
    expect((await refund(id, { amount: 1, reason: "退货", idempotencyKey: "k" }, null)).status).toBe(401);
    expect(
      (await refund(id, { amount: 1, reason: "退货", idempotencyKey: "k" }, "wrong-secret-0123456789abcdefghijklmnop"))
        .status,
    ).toBe(401);
    const unknown = await refund("no-such-order", { amount: 1, reason: "退货", idempotencyKey: "k" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "pay_order_not_found", message: "订单不存在。" } });
    expect(await database().db.payRefund.count()).toBe(0);
  });

  it("refuses an unpaid order (409) and says payments are off (404 pay_disabled)", async () => {
    const made = await routes.create(
      new Request(`${APP_URL}/api/internal/pay/orders`, {
        method: "POST",
        headers: headers(SECRET),
        body: JSON.stringify({ openid: sim.users[0]!.openid, description: "会员月卡", amount: 5, idempotencyKey: "u" }),
      }),
    );
    const { id } = (await made.json()) as { id: string };
    const unpaid = await refund(id, { amount: 1, reason: "退货", idempotencyKey: "k" });
    expect(unpaid.status).toBe(409);
    expect(await unpaid.json()).toMatchObject({ error: { code: "pay_order_not_paid" } });
    routes = await load({ ...env(database()), WECHAT_PAY_BASE: "https://api.mch.weixin.qq.com" });
    const off = await refund(id, { amount: 1, reason: "退货", idempotencyKey: "k" });
    expect(off.status).toBe(404);
    expect(await off.json()).toMatchObject({ error: { code: "pay_disabled" } });
    routes = await load(env(database()));
  });
});
