// Payment notifications from the simulator's WeChat Pay, delivered straight to receivePaymentNotification
// (its fetch stands in for the network), on SQLite and PostgreSQL, with two app instances (two database
// clients on PostgreSQL): five copies at once applied once; another amount recorded as an incident, not applied; a
// SIGNTEST probe and a stale first attempt refused, the retry applied.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db";
import { forEachDatabase } from "@/test/support/db";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "@/simulator/server";
import { WeChatPay } from "@/lib/wechat/pay";
import { nodeTransport } from "@/lib/wechat/transport";
import type { PayDeps } from "./deps";
import { receivePaymentNotification } from "./notify";
import { createOrder } from "./orders";

const START = Date.UTC(2026, 0, 15, 8, 0, 0);
const transport = nodeTransport();

forEachDatabase((kind, database) => {
  let sim: Simulator;
  let pay: WeChatPay;
  let instances: PayDeps[];
  let second: Db;
  let turn = 0;
  const answers: (number | string)[] = [];

  beforeAll(async () => {
    sim = await startSimulator({
      startTime: START,
      pay: {
        waitForTimeout: () => new Promise(() => {}),
        // The network: each delivery goes to the next instance, its answer as the route would give it.
        fetch: async (_url, init) => {
          const deps = instances[turn++ % instances.length]!;
          try {
            answers.push(await receivePaymentNotification(deps, new Headers(init?.headers ?? {}), init?.body ?? ""));
            return { status: 204, text: async () => "" };
          } catch (error) {
            answers.push((error as { problem?: string }).problem ?? String(error));
            return { status: 401, text: async () => '{"code":"FAIL","message":"refused"}' };
          }
        },
      },
    });
    const m = sim.pay.merchant();
    pay = new WeChatPay(
      { ...m, merchantPrivateKey: m.merchantPrivateKey!, baseUrl: sim.url },
      { fetch: transport, now: () => sim.now(), sleep: async () => {} },
    );
    second = createDb(database().url);
    const base = (db: Db): PayDeps => ({
      db,
      appId: SIM_DEFAULTS.appId,
      now: () => new Date(sim.now()),
      client: async () => pay,
      appUrl: "http://localhost:3000",
      notifyUrl: "http://localhost:3000/api/pay/notify",
      allowedOrigins: [],
      webhookSecret: null,
      randomBytes: (n) => new Uint8Array(n).map(() => Math.floor(Math.random() * 256)),
    });
    // Two instances are two processes; on SQLite two clients in one process would block each other's
    // synchronous busy wait, so there the copies share one client (they still run at once).
    instances = kind === "postgresql" ? [base(database().db), base(second)] : [base(database().db)];
  });
  afterAll(async () => {
    await sim.close();
    await second.$disconnect();
  });
  beforeEach(async () => {
    sim.reset();
    answers.length = 0;
    const { db } = database();
    await db.payIncident.deleteMany();
    await db.payOrder.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
    await db.user.create({
      data: { identities: { create: { appid: SIM_DEFAULTS.appId, openid: sim.users[0]!.openid } } },
    });
  });

  async function paidOrder() {
    const { order } = await createOrder(instances[0]!, {
      openid: sim.users[0]!.openid,
      description: "会员月卡",
      amount: 100,
      idempotencyKey: `k${Math.random()}`,
    });
    await pay.createJsapiOrder({
      outTradeNo: order.outTradeNo,
      description: order.description,
      amount: order.amount,
      payerOpenid: order.openid,
      notifyUrl: "http://localhost:3000/api/pay/notify",
      timeExpire: order.expiresAt.getTime(),
    });
    expect(sim.pay.confirm({ outTradeNo: order.outTradeNo }).errMsg).toBe("get_brand_wcpay_request:ok");
    await sim.pay.settled();
    return order;
  }

  it("applies five copies arriving at once on two instances exactly once", async () => {
    sim.pay.notifier.script({ kind: "duplicate", copies: 5 });
    const order = await paidOrder();
    expect(answers.filter((a) => a === "applied")).toHaveLength(1);
    expect(answers).toHaveLength(5);
    const row = await database().db.payOrder.findUniqueOrThrow({ where: { id: order.id } });
    expect(row).toMatchObject({ state: "paid", transactionId: sim.pay.order(order.outTradeNo)!.transactionId });
    expect(await database().db.payOrderEvent.count({ where: { orderId: order.id, kind: "paid" } })).toBe(1);
    expect(await database().db.payOrderEvent.count({ where: { orderId: order.id, kind: "notified" } })).toBe(1);
  });

  it("records another amount as an incident and leaves the order unpaid", async () => {
    sim.pay.notifier.script({ kind: "amount", total: 1 });
    const order = await paidOrder();
    expect(answers).toEqual(["incident"]);
    expect(await database().db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({
      state: "unpaid",
      paidAt: null,
    });
    expect(await database().db.payIncident.findMany()).toMatchObject([
      { orderId: order.id, kind: "amount_mismatch", expected: "100", received: "1" },
    ]);
  });

  it("refuses a SIGNTEST probe and a stale attempt, and applies the genuine one", async () => {
    sim.pay.notifier.script({ kind: "signtest" });
    const probed = await paidOrder();
    expect(answers).toEqual(["signtest", "applied"]);
    expect((await database().db.payOrder.findUniqueOrThrow({ where: { id: probed.id } })).state).toBe("paid");
    answers.length = 0;
    sim.pay.notifier.script({ kind: "stale" });
    const stale = await paidOrder();
    expect(answers).toEqual(["stale"]);
    sim.advance(15);
    await sim.pay.settled();
    expect(answers).toEqual(["stale", "applied"]);
    expect((await database().db.payOrder.findUniqueOrThrow({ where: { id: stale.id } })).state).toBe("paid");
  });
});

afterAll(() => transport.close());
