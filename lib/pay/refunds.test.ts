// Refunds against the simulator's WeChat Pay on SQLite and PostgreSQL: concurrent refunds (over two
// clients on PostgreSQL) never add up to more than was paid; one refund per idempotency key; SYSTEM_ERROR
// (or an answer lost after WeChat Pay did it) leaves the refund pending and the sweep sends it again with
// the same out_refund_no; refusals fail with WeChat Pay's reason and give the reservation back; refund
// notifications applied once from several copies, with the order refunded when all is back; CLOSED and
// ABNORMAL outcomes; a processing refund whose notification never comes is found by the query.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { forEachDatabase } from "@/test/support/db";
import { startPayWorld, type PayWorld } from "@/test/support/pay";
import type { PayDeps } from "./deps";
import { receivePaymentNotification } from "./notify";
import { REFUND_QUERY_AFTER_MS, REFUND_RESEND_AFTER_MS, placeRefund, requestRefund, sweepRefunds } from "./refunds";

forEachDatabase((kind, database) => {
  let world: PayWorld;
  let deps: PayDeps;
  let other: PayDeps;
  let db: Db;
  const results: string[] = [];
  let key = 0;

  beforeAll(async () => {
    world = await startPayWorld();
    db = database().db;
    deps = world.deps(db);
    other = kind === "postgresql" ? world.deps(world.client(database().url)) : deps;
  });
  afterAll(async () => {
    await world.close();
  });
  beforeEach(async () => {
    world.sim.pay.reset();
    results.length = 0;
    // The app's notify endpoint, alternating between the two instances.
    let turn = 0;
    world.notify = async (headers, body) => {
      results.push(await receivePaymentNotification(turn++ % 2 === 0 ? deps : other, headers, body));
      return 204;
    };
    for (const k of Object.keys(world.calls) as (keyof typeof world.calls)[]) world.calls[k] = 0;
    await db.payIncident.deleteMany();
    await db.payOrder.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
    await world.addPayer(db);
  });

  const ask = (d: PayDeps, orderId: string, amount: number, idempotencyKey = `r${++key}`) =>
    requestRefund(d, { orderId, amount, reason: "商品缺货", idempotencyKey, createdBy: "internal" });

  async function paid(amount = 100) {
    const { order } = await world.paidOrder(deps, { amount, webhookUrl: "https://shop.example.com/hooks/pay" });
    results.length = 0;
    return order;
  }

  it("never refunds more than was paid, five concurrent requests on two instances", async () => {
    const order = await paid(100);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => ask(i % 2 === 0 ? deps : other, order.id, 30)),
    );
    const made = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o) => o.status === "rejected");
    expect(made).toHaveLength(3);
    for (const r of refused) expect(r.reason).toMatchObject({ code: "pay_refund_exceeds" });
    await world.sim.pay.settled();
    const row = await db.payOrder.findUniqueOrThrow({ where: { id: order.id } });
    expect(row).toMatchObject({ refundReserved: 90, refundedAmount: 90, state: "paid" });
    expect(world.sim.pay.order(order.outTradeNo)!.refunds).toHaveLength(3);
    expect(await db.payRefund.count({ where: { orderId: order.id, state: "success" } })).toBe(3);
    // What is left, and not a fen more.
    await expect(ask(deps, order.id, 11)).rejects.toMatchObject({ code: "pay_refund_exceeds" });
    const last = await ask(deps, order.id, 10);
    await world.sim.pay.settled();
    expect(last.amount).toBe(10);
    expect(await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      state: "refunded",
      refundedAmount: 100,
    });
    const hooks = await db.payWebhook.findMany({ where: { orderId: order.id, event: "order.refunded" } });
    expect(hooks).toHaveLength(4);
    expect(JSON.parse(hooks.find((h) => h.eventKey === `refund:${last.outRefundNo}:SUCCESS`)!.body)).toMatchObject({
      type: "order.refunded",
      order: { status: "refunded", refundedAmount: 100 },
      refund: { outRefundNo: last.outRefundNo, amount: 10, status: "success" },
    });
  });

  it("makes one refund per idempotency key, also for requests at once, and refuses the key with another body", async () => {
    const order = await paid(100);
    const [a, b, c] = await Promise.all([
      placeRefund(deps, {
        orderId: order.id,
        amount: 40,
        reason: "退货",
        idempotencyKey: "same",
        createdBy: "internal",
      }),
      placeRefund(other, {
        orderId: order.id,
        amount: 40,
        reason: "退货",
        idempotencyKey: "same",
        createdBy: "internal",
      }),
      placeRefund(deps, {
        orderId: order.id,
        amount: 40,
        reason: "退货",
        idempotencyKey: "same",
        createdBy: "internal",
      }),
    ]);
    expect(new Set([a.refund.id, b.refund.id, c.refund.id]).size).toBe(1);
    expect([a, b, c].filter((r) => !r.replayed)).toHaveLength(1);
    expect(world.calls.refund).toBe(1);
    const again = await placeRefund(deps, {
      orderId: order.id,
      amount: 40,
      reason: "退货",
      idempotencyKey: "same",
      createdBy: "internal",
    });
    expect(again).toMatchObject({ replayed: true, refund: { id: a.refund.id } });
    await expect(ask(deps, order.id, 41, "same")).rejects.toMatchObject({ code: "pay_key_reused" });
    await world.sim.pay.settled();
    expect(await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      refundReserved: 40,
      refundedAmount: 40,
    });
  });

  it("keeps a refund pending after SYSTEM_ERROR and sends it again with the same out_refund_no", async () => {
    const order = await paid(100);
    world.sim.pay.failNext("refund", { code: "SYSTEM_ERROR" });
    const pending = await ask(deps, order.id, 50);
    expect(pending).toMatchObject({ state: "pending", amount: 50 });
    expect(world.sim.pay.refund(pending.outRefundNo)).toBeUndefined();
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).refundReserved).toBe(50);
    // Not before its time.
    expect(await sweepRefunds(deps)).toEqual({ resent: 0, queried: 0 });
    world.sim.advance(REFUND_RESEND_AFTER_MS / 1000);
    expect(await sweepRefunds(deps)).toEqual({ resent: 1, queried: 0 });
    await world.sim.pay.settled();
    expect(world.sim.pay.refund(pending.outRefundNo)).toMatchObject({ refund: 50, status: "SUCCESS" });
    expect(world.sim.pay.order(order.outTradeNo)!.refunds).toEqual([pending.outRefundNo]);
    expect(await db.payRefund.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({ state: "success" });

    // WeChat Pay did it, and its answer was lost: sent again, the same refund comes back, once.
    world.sim.pay.setRefundMode("manual");
    world.sim.pay.failNext("refund", { code: "SYSTEM_ERROR", apply: true });
    const lost = await ask(deps, order.id, 20);
    expect(lost.state).toBe("pending");
    expect(world.sim.pay.refund(lost.outRefundNo)).toMatchObject({ status: "PROCESSING" });
    world.sim.advance(REFUND_RESEND_AFTER_MS / 1000);
    expect(await sweepRefunds(deps)).toEqual({ resent: 1, queried: 0 });
    expect(await db.payRefund.findUniqueOrThrow({ where: { id: lost.id } })).toMatchObject({ state: "processing" });
    world.sim.pay.completeRefund(lost.outRefundNo, "SUCCESS");
    await world.sim.pay.settled();
    expect(world.sim.pay.order(order.outTradeNo)!.refunds).toHaveLength(2);
    expect(await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      refundReserved: 70,
      refundedAmount: 70,
    });
    expect(world.calls.refund).toBe(4);
  });

  it("fails a refused refund with WeChat Pay's reason in Chinese and gives its reservation back", async () => {
    const order = await paid(100);
    world.sim.pay.failNext("refund", { code: "NOT_ENOUGH" });
    const failed = await ask(deps, order.id, 100);
    expect(failed).toMatchObject({ state: "failed", payCode: "NOT_ENOUGH", nextCheckAt: null });
    expect(failed.error).toContain("商户账户可用余额不足");
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).refundReserved).toBe(0);
    world.sim.advance(REFUND_RESEND_AFTER_MS / 1000);
    expect(await sweepRefunds(deps)).toEqual({ resent: 0, queried: 0 });
    const retried = await ask(deps, order.id, 100);
    expect(retried.state).not.toBe("failed");
    await world.sim.pay.settled();
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).state).toBe("refunded");
  });

  it("refuses refunds of unpaid orders and unknown ones", async () => {
    const { order } = await world.prepaidOrder(deps);
    await expect(ask(deps, order.id, 1)).rejects.toMatchObject({ code: "pay_order_not_paid" });
    await expect(ask(deps, "nope", 1)).rejects.toMatchObject({ code: "pay_order_not_found" });
    expect(world.calls.refund).toBe(0);
  });

  it("applies a refund notification once from five copies arriving at once", async () => {
    const order = await paid(100);
    world.sim.pay.setRefundMode("manual");
    const refund = await ask(deps, order.id, 60);
    expect(refund.state).toBe("processing");
    world.sim.pay.notifier.script({ kind: "duplicate", copies: 5 });
    world.sim.pay.completeRefund(refund.outRefundNo, "SUCCESS");
    await world.sim.pay.settled();
    expect(results.filter((r) => r === "applied")).toHaveLength(1);
    expect(results).toHaveLength(5);
    expect(await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      refundedAmount: 60,
      refundReserved: 60,
      state: "paid",
    });
    expect(await db.payOrderEvent.count({ where: { orderId: order.id, kind: "refund_success" } })).toBe(1);
    expect(await db.payWebhook.count({ where: { orderId: order.id, event: "order.refunded" } })).toBe(1);
  });

  it("gives a closed refund's reservation back and records an abnormal one as an incident", async () => {
    const order = await paid(100);
    world.sim.pay.setRefundMode("manual");
    const closed = await ask(deps, order.id, 70);
    world.sim.pay.completeRefund(closed.outRefundNo, "CLOSED");
    await world.sim.pay.settled();
    expect(await db.payRefund.findUniqueOrThrow({ where: { id: closed.id } })).toMatchObject({ state: "closed" });
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).refundReserved).toBe(0);
    expect(await db.payWebhook.findMany({ where: { orderId: order.id, event: "order.refund_failed" } })).toMatchObject([
      { eventKey: `refund:${closed.outRefundNo}:CLOSED` },
    ]);

    const abnormal = await ask(deps, order.id, 100);
    world.sim.pay.completeRefund(abnormal.outRefundNo, "ABNORMAL");
    await world.sim.pay.settled();
    expect(await db.payRefund.findUniqueOrThrow({ where: { id: abnormal.id } })).toMatchObject({ state: "abnormal" });
    // Still reserved: the money is on its way by hand, not free to refund again.
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).refundReserved).toBe(100);
    expect(await db.payIncident.findMany()).toMatchObject([
      { orderId: order.id, kind: "refund_abnormal", outRefundNo: abnormal.outRefundNo },
    ]);
  });

  it("finds by the query a processing refund whose notification never came", async () => {
    const order = await paid(100);
    world.sim.pay.setRefundMode("manual");
    const refund = await ask(deps, order.id, 25);
    world.sim.pay.notifier.script({ kind: "drop" });
    world.sim.pay.completeRefund(refund.outRefundNo, "SUCCESS");
    await world.sim.pay.settled();
    expect((await db.payRefund.findUniqueOrThrow({ where: { id: refund.id } })).state).toBe("processing");
    world.sim.advance(REFUND_QUERY_AFTER_MS / 1000);
    expect(await sweepRefunds(deps)).toEqual({ resent: 0, queried: 1 });
    expect(await db.payRefund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({
      state: "success",
      nextCheckAt: null,
    });
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).refundedAmount).toBe(25);
    expect(world.calls.queryRefund).toBe(1);
  });
});
