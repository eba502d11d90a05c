// reconcileOrder against the simulator's WeChat Pay on SQLite and PostgreSQL: a payment whose notification
// never comes is healed by the query (once, also when five ask at once over two clients); a crash between
// WeChat Pay's answer and our write is healed the same way; an expired order is closed at WeChat Pay and
// here; the paid and closed webhooks are written with the change, once.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { forEachDatabase } from "@/test/support/db";
import { startPayWorld, type PayWorld } from "@/test/support/pay";
import type { PayDeps } from "./deps";
import { receivePaymentNotification } from "./notify";
import { QUERY_INTERVAL_MS, reconcileDueOrders, reconcileOrder } from "./reconcile";

forEachDatabase((kind, database) => {
  let world: PayWorld;
  let deps: PayDeps;
  let other: PayDeps;
  let db: Db;

  beforeAll(async () => {
    world = await startPayWorld();
    db = database().db;
    deps = world.deps(db);
    // A second instance: on PostgreSQL a second client; on SQLite one client (see notify.test.ts).
    other = kind === "postgresql" ? world.deps(world.client(database().url)) : deps;
  });
  afterAll(async () => {
    await world.close();
  });
  beforeEach(async () => {
    world.sim.pay.reset();
    world.notify = async () => 204;
    for (const k of Object.keys(world.calls) as (keyof typeof world.calls)[]) world.calls[k] = 0;
    await db.payIncident.deleteMany();
    await db.payOrder.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
    await world.addPayer(db);
  });

  it("heals a payment whose notification never came: paid by the query, once, with its webhook", async () => {
    world.sim.pay.notifier.script({ kind: "drop" });
    const { order } = await world.paidOrder(deps, { webhookUrl: "https://shop.example.com/hooks/pay" });
    expect(world.sim.pay.notifications()[0]).toMatchObject({ state: "dropped" });
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).state).toBe("unpaid");

    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => reconcileOrder(i % 2 === 0 ? deps : other, order.id)),
    );
    expect(world.calls.queryOrder).toBe(1);
    const paid = answers.filter((a) => a.state === "paid");
    expect(paid.length).toBeGreaterThanOrEqual(1);
    const row = await db.payOrder.findUniqueOrThrow({ where: { id: order.id } });
    expect(row).toMatchObject({
      state: "paid",
      transactionId: world.sim.pay.order(order.outTradeNo)!.transactionId,
      nextCheckAt: null,
    });
    expect(await db.payOrderEvent.count({ where: { orderId: order.id, kind: "paid" } })).toBe(1);
    expect(await db.payOrderEvent.findMany({ where: { orderId: order.id, kind: "queried" } })).toHaveLength(1);
    const hooks = await db.payWebhook.findMany({ where: { orderId: order.id } });
    expect(hooks).toMatchObject([{ event: "order.paid", eventKey: "paid", state: "pending" }]);
    expect(JSON.parse(hooks[0]!.body)).toMatchObject({
      id: hooks[0]!.id,
      type: "order.paid",
      order: {
        id: order.id,
        outTradeNo: order.outTradeNo,
        status: "paid",
        amount: 100,
        transactionId: row.transactionId,
      },
    });

    // Paid orders are not asked about again; a later copy of the notification changes nothing.
    await reconcileOrder(deps, order.id, { minIntervalMs: 0 });
    expect(world.calls.queryOrder).toBe(1);
  });

  it("heals a crash between WeChat Pay's answer and our write, and takes the later notification as known", async () => {
    // Our handler dies before writing anything: WeChat Pay is told nothing useful and sends again later.
    world.notify = async () => 500;
    const { order } = await world.paidOrder(deps);
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).state).toBe("unpaid");

    // The sweep finds it when its check falls due (a few minutes after the prepay).
    await db.payOrder.update({ where: { id: order.id }, data: { nextCheckAt: new Date(world.sim.now()) } });
    expect(await reconcileDueOrders(deps)).toBe(1);
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).state).toBe("paid");

    const results: string[] = [];
    world.notify = async (headers, body) => {
      results.push(await receivePaymentNotification(deps, headers, body));
      return 204;
    };
    world.sim.advance(15);
    await world.sim.pay.settled();
    expect(results).toEqual(["already_paid"]);
    expect(await db.payOrderEvent.count({ where: { orderId: order.id, kind: "paid" } })).toBe(1);
    expect(await reconcileDueOrders(deps)).toBe(0);
  });

  it("asks about an unpaid order once per interval, and not at all before a prepay", async () => {
    const { order } = await world.prepaidOrder(deps);
    expect((await reconcileOrder(deps, order.id)).state).toBe("unpaid");
    expect((await reconcileOrder(deps, order.id)).state).toBe("unpaid");
    expect(world.calls.queryOrder).toBe(1);
    const row = await db.payOrder.findUniqueOrThrow({ where: { id: order.id } });
    // Next: shortly before the expiry (30 minutes by default).
    expect(row.nextCheckAt!.getTime()).toBe(order.expiresAt.getTime() - 2 * 60_000);
    world.sim.advance(QUERY_INTERVAL_MS / 1000);
    await reconcileOrder(deps, order.id);
    expect(world.calls.queryOrder).toBe(2);

    const { order: fresh } = await world.prepaidOrder(deps);
    await db.payOrder.update({ where: { id: fresh.id }, data: { prepayId: null } });
    expect((await reconcileOrder(deps, fresh.id)).state).toBe("unpaid");
    expect(world.calls.queryOrder).toBe(2);
    await expect(reconcileOrder(deps, "no-such-order")).rejects.toMatchObject({ code: "pay_order_not_found" });
  });

  it("closes an expired unpaid order at WeChat Pay and here, with its webhook, once", async () => {
    const { order } = await world.prepaidOrder(deps, {
      expiresInSeconds: 300,
      webhookUrl: "https://shop.example.com/hooks/pay",
    });
    world.sim.advance(301);
    expect(await reconcileDueOrders(deps)).toBe(1);
    const row = await db.payOrder.findUniqueOrThrow({ where: { id: order.id } });
    expect(row).toMatchObject({ state: "closed", closedAt: new Date(world.sim.now()), nextCheckAt: null });
    expect(world.sim.pay.order(order.outTradeNo)!.state).toBe("CLOSED");
    expect(world.calls.closeOrder).toBe(1);
    expect(world.sim.pay.confirm({ outTradeNo: order.outTradeNo }).errMsg).toBe("get_brand_wcpay_request:fail");
    expect(await db.payWebhook.findMany({ where: { orderId: order.id } })).toMatchObject([
      { event: "order.closed", eventKey: "closed" },
    ]);
    expect(await db.payOrderEvent.count({ where: { orderId: order.id, kind: "closed" } })).toBe(1);
    world.sim.advance(60);
    expect((await reconcileOrder(deps, order.id, { minIntervalMs: 0 })).state).toBe("closed");
    expect(world.calls.closeOrder).toBe(1);
  });

  it("closes an expired order that never reached WeChat Pay, and keeps one paid at the last moment", async () => {
    const { order: never } = await world.prepaidOrder(deps, { expiresInSeconds: 300 });
    await db.payOrder.update({ where: { id: never.id }, data: { outTradeNo: `${never.outTradeNo}X` } });
    const { order: late } = await world.prepaidOrder(deps, { expiresInSeconds: 300 });
    world.notify = async () => 500;
    world.sim.advance(299);
    expect(world.sim.pay.confirm({ outTradeNo: late.outTradeNo }).errMsg).toBe("get_brand_wcpay_request:ok");
    await world.sim.pay.settled();
    world.sim.advance(2);
    expect(await reconcileDueOrders(deps)).toBe(2);
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: never.id } })).state).toBe("closed");
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: late.id } })).state).toBe("paid");
  });

  it("leaves the order unpaid and asks again a minute later when WeChat Pay is busy", async () => {
    const { order } = await world.prepaidOrder(deps);
    world.sim.pay.failNext("query", { code: "SYSTEM_ERROR" });
    expect((await reconcileOrder(deps, order.id)).state).toBe("unpaid");
    const row = await db.payOrder.findUniqueOrThrow({ where: { id: order.id } });
    expect(row.nextCheckAt!.getTime()).toBe(world.sim.now() + 60_000);
    world.sim.pay.failNext("query", { code: "SYSTEM_ERROR" });
    world.sim.advance(10);
    await expect(reconcileOrder(deps, order.id, { throwOnError: true })).rejects.toMatchObject({
      code: "SYSTEM_ERROR",
    });
  });
});
