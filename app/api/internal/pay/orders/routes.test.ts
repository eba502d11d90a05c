// The internal pay API as handlers with Requests: bearer, payments off, 201/200 by idempotency key,
// 400 naming a field, and GET of the order; the merchant read from the in-process simulator.
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
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
  const [create, one] = await Promise.all([import("./route"), import("./[id]/route")]);
  return { create: create.POST as Handler, get: one.GET as Handler };
}

const post = (body: unknown, secret = SECRET) =>
  new Request(`${APP_URL}/api/internal/pay/orders`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify(body),
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

  beforeAll(async () => {
    sim = await startSimulator();
    (globalThis as { wcucDb?: unknown }).wcucDb = database().db;
    routes = await load(env(database()));
  });
  beforeEach(async () => {
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

  const body = (overrides: Record<string, unknown> = {}) => ({
    openid: sim.users[0]!.openid,
    description: "会员月卡",
    amount: 1,
    idempotencyKey: "order-1001",
    webhookUrl: "https://shop.example.com/hooks/pay",
    ...overrides,
  });

  it("makes an order (201), answers the same key with the same order (200), and shows it", async () => {
    const first = await routes.create(post(body()));
    expect(first.status).toBe(201);
    const made = (await first.json()) as { id: string; outTradeNo: string; status: string; payUrl: string };
    expect(Object.keys(made)).toEqual(["id", "outTradeNo", "status", "payUrl"]);
    expect(made).toMatchObject({ status: "unpaid", payUrl: `${APP_URL}/pay/${made.id}` });
    const again = await routes.create(post(body()));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(made);
    const shown = await routes.get(
      new Request(`${APP_URL}/api/internal/pay/orders/${made.id}`, {
        headers: { authorization: `Bearer ${SECRET}` },
      }),
      { params: Promise.resolve({ id: made.id }) },
    );
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({
      id: made.id,
      amount: 1,
      status: "unpaid",
      openid: sim.users[0]!.openid,
    });
    const row = await database().db.payOrder.findFirstOrThrow();
    expect(row.mchid).toBe(sim.pay.merchant().mchid);
  });

  it("refuses a wrong bearer (401), a bad amount (400) and a foreign webhook origin (400 with the field)", async () => {
    expect((await routes.create(post(body(), "wrong-secret-0123456789abcdefghijklmnop"))).status).toBe(401);
    const bad = await routes.create(post(body({ amount: 1.5 })));
    expect(bad.status).toBe(400);
    const origin = await routes.create(post(body({ webhookUrl: "https://evil.example.com/" })));
    expect(origin.status).toBe(400);
    expect(await origin.json()).toMatchObject({
      error: { code: "pay_origin_not_allowed", fields: [{ field: "webhookUrl" }] },
    });
    expect(await database().db.payOrder.count()).toBe(0);
  });

  it("says payments are off (404 pay_disabled) against WeChat Pay without a merchant", async () => {
    routes = await load({ ...env(database()), WECHAT_PAY_BASE: "https://api.mch.weixin.qq.com" });
    const off = await routes.create(post(body()));
    expect(off.status).toBe(404);
    expect(await off.json()).toMatchObject({ error: { code: "pay_disabled" } });
    routes = await load(env(database()));
  });
});
