// POST /api/admin/orders/<id>/refunds as a handler with Requests, on both databases, WeChat Pay played by the
// in-process simulator: an admin refunds part (recorded as theirs, with the reason), the same form's key
// again refunds once, more than is left is 409 with what can be refunded; a viewer is 403 and another
// site 403 before anything is read; a bad body is 400 naming the problem; an unknown order 404.
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { WeChatPay } from "@/lib/wechat/pay";
import { forEachDatabase, type TestDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";
import { startSimulator, SIM_DEFAULTS, type Simulator } from "@/simulator/server";

const APP_URL = "http://localhost:3000";
const SECRET = "route-test-internal-secret-0123456789abcdefgh";
const KEYS = ["DATABASE_URL", "APP_URL", "INTERNAL_API_SECRET", "WECHAT_PAY_BASE"] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;

forEachDatabase((_kind, database) => {
  let sim: Simulator;
  let create: Handler;
  let refundRoute: Handler;
  let admin = "";
  let viewer = "";
  const env = (db: TestDatabase) => ({
    DATABASE_URL: db.url,
    APP_URL,
    INTERNAL_API_SECRET: SECRET,
    WECHAT_PAY_BASE: sim.url,
  });

  const refund = (id: string, body: unknown, cookie = admin, origin = APP_URL) =>
    refundRoute(
      new Request(`${APP_URL}/api/admin/orders/${id}/refunds`, {
        method: "POST",
        headers: { cookie, origin, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
      { params: Promise.resolve({ id }) },
    );

  beforeAll(async () => {
    sim = await startSimulator({ pay: { fetch: async () => ({ status: 204, text: async () => "" }) } });
    const { db } = database();
    (globalThis as { wcucDb?: unknown }).wcucDb = db;
    for (const [key, value] of Object.entries(env(database()))) process.env[key] = value;
    vi.resetModules();
    create = (await import("@/app/api/internal/pay/orders/route")).POST as Handler;
    refundRoute = (await import("./route")).POST as Handler;
    admin = await staffCookie(await makeStaff(db, "admin", "ops@example.com"));
    viewer = await staffCookie(await makeStaff(db, "viewer"));
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

  /** An order made through the internal API and paid at the simulator (our row marked paid as a notification would). */
  async function paidOrder(amount = 100): Promise<string> {
    const made = await create(
      new Request(`${APP_URL}/api/internal/pay/orders`, {
        method: "POST",
        headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
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

  it("refunds part as the admin, once per form key, and refuses more than is left with what is", async () => {
    const id = await paidOrder(100);
    const first = await refund(id, { amount: 30, reason: "少发一件", idempotencyKey: "form-1" });
    expect(first.status).toBe(201);
    const { refund: made } = (await first.json()) as { refund: Record<string, unknown> };
    expect(made).toMatchObject({ amount: 30, reason: "少发一件", createdBy: "ops@example.com", error: null });
    expect(["processing", "success"]).toContain(made.status);
    // A double click: the same form's key, the same refund.
    const again = await refund(id, { amount: 30, reason: "少发一件", idempotencyKey: "form-1" });
    expect(((await again.json()) as { refund: { id: string } }).refund.id).toBe(made.id);
    expect(await database().db.payRefund.count()).toBe(1);

    const beyond = await refund(id, { amount: 71, reason: "超额", idempotencyKey: "form-2" });
    expect(beyond.status).toBe(409);
    expect(await beyond.json()).toMatchObject({
      error: {
        code: "pay_refund_exceeds",
        refundable: 70,
        message: "退款金额超过订单可退金额（可退 70 分，申请 71 分）。",
      },
    });
    expect(await database().db.payRefund.count()).toBe(1);
  });

  it("refuses a viewer (403) and another site (403) before reading anything", async () => {
    const id = await paidOrder();
    const byViewer = await refund(id, { amount: 1, reason: "退货" }, viewer);
    expect(byViewer.status).toBe(403);
    expect(await byViewer.json()).toMatchObject({ error: { code: "forbidden" } });
    const crossSite = await refund(id, { amount: 1, reason: "退货" }, admin, "https://evil.example.com");
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: { code: "cross_site" } });
    expect((await refund(id, { amount: 1, reason: "退货" }, "")).status).toBe(401);
    expect(await database().db.payRefund.count()).toBe(0);
  });

  it("answers 400 naming the problem (the reason is required), and 404 for an unknown order", async () => {
    const id = await paidOrder();
    for (const [body, issue] of [
      [{ amount: 10 }, "请填写退款原因"],
      [{ amount: 10, reason: "   " }, "请填写退款原因"],
      [{ amount: 0, reason: "退货" }, "退款金额须大于 0"],
      [{ amount: 1.5, reason: "退货" }, "退款金额应为整数（单位：分）"],
      [{ amount: "10", reason: "退货" }, "退款金额应为整数（单位：分）"],
      [{ amount: 1, reason: "退".repeat(27) }, "退款原因最多 80 字节（约 26 个汉字）"],
    ] as const) {
      const bad = await refund(id, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      const answer = (await bad.json()) as { error: { code: string; issues: string[] } };
      expect(answer.error.code).toBe("bad_request");
      expect(answer.error.issues).toContain(issue);
    }
    expect((await refund(id, { amount: 1, reason: "退货", by: "x" })).status).toBe(400);
    expect(await database().db.payRefund.count()).toBe(0);
    const unknown = await refund("no-such-order", { amount: 1, reason: "退货" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "pay_order_not_found" } });
  });
});
