// The cashier's routes as handlers with Requests, the person signed in by a session cookie, WeChat Pay
// played by the in-process simulator (its notifications delivered to the notify route): someone else's
// order 403 and an unknown one 404, two taps at once making one prepay_id at the simulator (signed so
// that WeChat's client accepts it), a paid or closed order refused with its state, payments off
// (pay_disabled), the poll saying paid only once WeChat Pay notified, and 体验支付 made once per key.
// Both databases.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "@/simulator/server";

const APP_URL = "http://localhost:3000";
const KEYS = ["DATABASE_URL", "APP_URL", "WECHAT_PAY_BASE", "PAY_ALLOWED_ORIGINS"] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
const JSAPI = "/v3/pay/transactions/jsapi";
type Handler = (request: Request, context?: { params: Promise<Record<string, string>> }) => Promise<Response>;

interface Routes {
  status: Handler;
  prepay: Handler;
  trial: Handler;
  notify: (request: Request) => Promise<Response>;
  /** A session cookie for `userId`, as the login sets it. */
  cookie(userId: string): Promise<string>;
  createOrder(userId: string, key: string): Promise<{ id: string; outTradeNo: string }>;
}

async function load(values: Partial<Record<(typeof KEYS)[number], string>>): Promise<Routes> {
  for (const key of KEYS) {
    if (values[key] === undefined) delete process.env[key];
    else process.env[key] = values[key];
  }
  vi.resetModules();
  const [status, prepay, trial, notify, session, services, orders] = await Promise.all([
    import("./[id]/route"),
    import("./[id]/prepay/route"),
    import("../try/route"),
    import("../notify/route"),
    import("@/lib/session"),
    import("@/lib/services"),
    import("@/lib/pay/orders"),
  ]);
  return {
    status: status.GET as Handler,
    prepay: prepay.POST as Handler,
    trial: trial.POST as Handler,
    notify: notify.POST,
    async cookie(userId) {
      const response = new Response();
      await session.signIn(new Request(APP_URL), response, userId);
      return response.headers.get("set-cookie")!.split(";")[0]!;
    },
    async createOrder(userId, key) {
      const pay = services.services.pay!;
      const { order } = await orders.createOrder(pay, {
        userId,
        description: "会员月卡",
        amount: 1,
        idempotencyKey: key,
        returnUrl: "https://shop.example.com/done",
      });
      return order;
    },
  };
}

forEachDatabase((_kind, database) => {
  let sim: Simulator;
  let routes: Routes;
  let alice: string;
  let bob: string;
  const env = () => ({
    DATABASE_URL: database().url,
    APP_URL,
    WECHAT_PAY_BASE: sim.url,
    PAY_ALLOWED_ORIGINS: "https://shop.example.com",
  });

  beforeAll(async () => {
    // The simulator on the real clock (the app's), its notifications handed to the notify route.
    sim = await startSimulator({
      pay: {
        waitForTimeout: () => new Promise(() => {}),
        fetch: async (url, init) => {
          const res = await routes.notify(
            new Request(url, { method: "POST", headers: init?.headers, body: init?.body }),
          );
          const body = await res.text();
          return { status: res.status, text: async () => body };
        },
      },
    });
    (globalThis as { wcucDb?: unknown }).wcucDb = database().db;
    routes = await load(env());
  });
  beforeEach(async () => {
    sim.reset();
    const { db } = database();
    await db.payOrder.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
    const person = async (openid: string) =>
      (await db.user.create({ data: { identities: { create: { appid: SIM_DEFAULTS.appId, openid } } } })).id;
    alice = await person(sim.users[0]!.openid);
    bob = await person(sim.users[1]!.openid);
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

  const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
  const get = async (id: string, userId: string, confirm = false) =>
    routes.status(
      new Request(`${APP_URL}/api/pay/orders/${id}${confirm ? "?confirm=1" : ""}`, {
        headers: { cookie: await routes.cookie(userId) },
      }),
      ctx(id),
    );
  const prepay = async (id: string, userId: string, origin = APP_URL) =>
    routes.prepay(
      new Request(`${APP_URL}/api/pay/orders/${id}/prepay`, {
        method: "POST",
        headers: { cookie: await routes.cookie(userId), origin },
      }),
      ctx(id),
    );
  const jsapiCalls = () => sim.requests().filter((r) => r.path === JSAPI);

  describe("someone else's order", () => {
    it("is refused (403) on the poll and the prepay, saying nothing of it, and asks WeChat Pay nothing", async () => {
      const order = await routes.createOrder(alice, "k-1");
      for (const res of [await get(order.id, bob), await prepay(order.id, bob)]) {
        expect(res.status).toBe(403);
        const text = await res.text();
        expect(JSON.parse(text)).toMatchObject({ error: { code: "pay_order_not_yours" } });
        expect(text).toMatch(/不属于当前微信用户/);
        for (const secret of [order.outTradeNo, "会员月卡", "shop.example.com", sim.users[0]!.openid]) {
          expect(text).not.toContain(secret);
        }
      }
      expect(jsapiCalls()).toHaveLength(0);
      const row = await database().db.payOrder.findUniqueOrThrow({ where: { id: order.id } });
      expect(row.prepayId).toBeNull();
    });

    it("answers an unknown order 404, and nobody signed in 401", async () => {
      expect((await get("nosuchorder0000000000000", alice)).status).toBe(404);
      const order = await routes.createOrder(alice, "k-2");
      const anonymous = await routes.status(new Request(`${APP_URL}/api/pay/orders/${order.id}`), ctx(order.id));
      expect(anonymous.status).toBe(401);
    });
  });

  it("makes one prepay_id for two taps at once, reuses it on the next tap, and signs it as WeChat checks", async () => {
    const order = await routes.createOrder(alice, "k-3");
    const before = Date.now();
    const [a, b] = await Promise.all([prepay(order.id, alice), prepay(order.id, alice)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const bodies = (await Promise.all([a.json(), b.json()])) as { bridge: Record<string, string>; order: unknown }[];
    expect(bodies[0]!.bridge.package).toBe(bodies[1]!.bridge.package);
    expect(jsapiCalls()).toHaveLength(1);
    expect(a.headers.get("cache-control")).toBe("private, no-store");
    expect(bodies[0]!.order).toMatchObject({ id: order.id, amount: 1, amountLabel: "¥0.01", status: "unpaid" });

    const third = await prepay(order.id, alice);
    const again = (await third.json()) as { bridge: Record<string, string> };
    expect(again.bridge.package).toBe(bodies[0]!.bridge.package);
    expect(jsapiCalls()).toHaveLength(1);

    const { db } = database();
    const row = await db.payOrder.findUniqueOrThrow({ where: { id: order.id } });
    expect(`prepay_id=${row.prepayId}`).toBe(bodies[0]!.bridge.package);
    expect(row.prepayExpiresAt!.getTime()).toBeGreaterThanOrEqual(before + 2 * 3600_000 - 1000);
    // The sweep's first look: a few minutes after the prepay.
    expect(row.nextCheckAt!.getTime() - before).toBeGreaterThanOrEqual(4 * 60_000);
    expect(row.nextCheckAt!.getTime() - before).toBeLessThanOrEqual(6 * 60_000);
    expect(await db.payOrderEvent.count({ where: { orderId: order.id, kind: "prepay" } })).toBe(1);

    // The parameters as WeChat's client checks them (paySign with the merchant's public key).
    const sheet = sim.pay.sheet({ bridge: again.bridge as never });
    expect(sheet).toMatchObject({ ok: true, total: 1, description: "会员月卡" });
  });

  it("refuses a cross-site prepay (403) without asking WeChat Pay", async () => {
    const order = await routes.createOrder(alice, "k-4");
    const res = await prepay(order.id, alice, "https://evil.example.com");
    expect(res.status).toBe(403);
    expect(jsapiCalls()).toHaveLength(0);
  });

  it("says paid only from our books: a notification, or WeChat Pay's answer when the page heard ok (never the page's word)", async () => {
    // A page that claims WeChat said ok for an order nobody paid: WeChat Pay is asked, and it is unpaid.
    const unpaid = await routes.createOrder(alice, "k-5");
    expect((await prepay(unpaid.id, alice)).status).toBe(200);
    expect(await (await get(unpaid.id, alice, true)).json()).toMatchObject({ status: "unpaid", statusLabel: "待支付" });

    // Paid, the notification lost: the plain poll reads our row (unpaid); after WeChat's ok the query heals it.
    const lost = await routes.createOrder(alice, "k-6");
    const { bridge } = (await (await prepay(lost.id, alice)).json()) as { bridge: Record<string, string> };
    sim.pay.notifier.script({ kind: "drop" });
    expect(sim.pay.confirm({ bridge: bridge as never }).errMsg).toBe("get_brand_wcpay_request:ok");
    await sim.pay.settled();
    expect(await (await get(lost.id, alice)).json()).toMatchObject({ status: "unpaid" });
    expect(await (await get(lost.id, alice, true)).json()).toMatchObject({ status: "paid", statusLabel: "已支付" });

    // Paid and notified: paid without asking, and never paid again.
    const paid = await routes.createOrder(alice, "k-7");
    const signed = (await (await prepay(paid.id, alice)).json()) as { bridge: Record<string, string> };
    sim.pay.confirm({ bridge: signed.bridge as never });
    await sim.pay.settled();
    expect(await (await get(paid.id, alice)).json()).toMatchObject({
      status: "paid",
      statusLabel: "已支付",
      returnUrl: "https://shop.example.com/done",
    });
    const refused = await prepay(paid.id, alice);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: "pay_order_paid", status: "paid" } });
  });

  it("refuses a closed and an expired order with their state", async () => {
    const { db } = database();
    const closed = await routes.createOrder(alice, "k-8");
    await db.payOrder.update({ where: { id: closed.id }, data: { state: "closed", closedAt: new Date() } });
    const res = await prepay(closed.id, alice);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: "pay_order_closed", status: "closed" } });
    const expired = await routes.createOrder(alice, "k-9");
    await db.payOrder.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const late = await prepay(expired.id, alice);
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ error: { code: "pay_order_expired", status: "expired" } });
    expect(jsapiCalls()).toHaveLength(0);
  });

  it("体验支付 makes one 1-fen order per key for the signed-in person, back to 我的订单", async () => {
    const tap = async (key: string) =>
      routes.trial(
        new Request(`${APP_URL}/api/pay/try`, {
          method: "POST",
          headers: { cookie: await routes.cookie(alice), origin: APP_URL, "content-type": "application/json" },
          body: JSON.stringify({ key }),
        }),
      );
    const [first, second] = await Promise.all([tap("trial-key-0001"), tap("trial-key-0001")]);
    const made = (await first.json()) as { id: string; payUrl: string };
    expect(await second.json()).toEqual(made);
    expect(made.payUrl).toBe(`/pay/${made.id}`);
    const rows = await database().db.payOrder.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: alice, amount: 1, returnUrl: `${APP_URL}/me/orders` });
    expect((await tap("trial-key-0002")).status).toBe(201);
    expect(await database().db.payOrder.count()).toBe(2);
  });

  it("says payments are off (404 pay_disabled) against WeChat Pay without a merchant", async () => {
    const order = await routes.createOrder(alice, "k-10");
    routes = await load({ ...env(), WECHAT_PAY_BASE: "https://api.mch.weixin.qq.com" });
    try {
      for (const res of [await get(order.id, alice), await prepay(order.id, alice)]) {
        expect(res.status).toBe(404);
        expect(await res.json()).toMatchObject({ error: { code: "pay_disabled" } });
      }
    } finally {
      routes = await load(env());
    }
  });
});
