// Orders made through lib/pay on SQLite and PostgreSQL: tied to our person's openid, once per
// idempotency key (also for five requests at once), the key refused with another request, origins.
import { beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { AppError } from "@/lib/errors";
import type { PayClient } from "./client";
import type { PayDeps } from "./deps";
import { createOrder, createdView, getOrder, type CreateOrderInput } from "./orders";

const APP_ID = "wx5e1f0c0de0000001";
const NOW = new Date(Date.UTC(2026, 0, 15, 8, 0, 0));
const OPENID = "oPayTestUser0000000000000001";

const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

forEachDatabase((_kind, database) => {
  let deps: PayDeps;
  let userId: string;

  beforeEach(async () => {
    const { db } = database();
    await db.payOrder.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
    const user = await db.user.create({ data: { identities: { create: { appid: APP_ID, openid: OPENID } } } });
    userId = user.id;
    let n = 0;
    deps = {
      db,
      appId: APP_ID,
      now: () => NOW,
      client: async () => ({ mchid: "1900009191", appid: APP_ID }) as PayClient,
      appUrl: "http://localhost:3000",
      notifyUrl: "http://localhost:3000/api/pay/notify",
      allowedOrigins: ["https://shop.example.com"],
      webhookSecret: "webhook-secret-0123456789abcdefghijkl",
      randomBytes: (size) => Uint8Array.from({ length: size }, () => (n = (n * 73 + 11) % 251)),
    };
  });

  const input = (overrides: Partial<CreateOrderInput> = {}): CreateOrderInput => ({
    userId,
    description: "会员月卡",
    amount: 100,
    idempotencyKey: "shop-order-1",
    webhookUrl: "https://shop.example.com/hooks/pay",
    returnUrl: "https://shop.example.com/orders/1",
    ...overrides,
  });

  it("makes an unpaid order for the person's openid, with a cashier link, and the same one for the same key", async () => {
    const { order, replayed } = await createOrder(deps, input());
    expect(replayed).toBe(false);
    expect(order).toMatchObject({ state: "unpaid", openid: OPENID, userId, amount: 100, mchid: "1900009191" });
    expect(order.expiresAt.getTime() - NOW.getTime()).toBe(1800_000);
    expect(createdView(deps, order)).toEqual({
      id: order.id,
      outTradeNo: order.outTradeNo,
      status: "unpaid",
      payUrl: `http://localhost:3000/pay/${order.id}`,
    });
    const again = await createOrder(deps, input());
    expect(again).toMatchObject({ replayed: true, order: { id: order.id } });
    expect((await getOrder(deps, order.id)).id).toBe(order.id);
    expect(await deps.db.payOrderEvent.count({ where: { orderId: order.id, kind: "created" } })).toBe(1);
  });

  it("makes one order for five requests with the same key at once", async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => createOrder(deps, input({ openid: OPENID, userId: undefined }))),
    );
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await deps.db.payOrder.count()).toBe(1);
  });

  it("refuses the key with another request, a used outTradeNo, foreign origins and unknown people", async () => {
    await createOrder(deps, input({ outTradeNo: "SO20260115000001" }));
    expect(await caught(createOrder(deps, input({ outTradeNo: "SO20260115000001", amount: 101 })))).toMatchObject({
      code: "pay_key_reused",
    });
    expect(
      await caught(createOrder(deps, input({ idempotencyKey: "k2", outTradeNo: "SO20260115000001" }))),
    ).toMatchObject({ code: "pay_out_trade_no_used" });
    const origin = (await caught(
      createOrder(
        deps,
        input({
          idempotencyKey: "k3",
          webhookUrl: "https://evil.example.com/x",
          returnUrl: "http://localhost:3000/me",
        }),
      ),
    )) as AppError;
    expect(origin).toMatchObject({ code: "pay_origin_not_allowed" });
    expect(origin.options.extra).toEqual({
      fields: [{ field: "webhookUrl", message: "webhookUrl 不在允许的域名内。" }],
    });
    expect(await caught(createOrder(deps, input({ idempotencyKey: "k4", userId: "nobody" })))).toMatchObject({
      code: "pay_user_not_found",
    });
    expect(await caught(getOrder(deps, "nope"))).toMatchObject({ code: "pay_order_not_found" });
    expect(await deps.db.payOrder.count()).toBe(1);
  });
});
