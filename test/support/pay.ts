// The pay product's integration tests: the in-process simulator playing WeChat Pay (its clock frozen, so
// that tests move time), WeChat Pay's client against it with every call counted, PayDeps on a test
// database, and the notification "network": each notification the simulator sends is handed to
// `world.notify` (the app's handler, or a crash) and answered with its status.
import { createDb, type Db } from "@/lib/db";
import type { PayClient } from "@/lib/pay/client";
import type { PayDeps } from "@/lib/pay/deps";
import { createOrder, type CreateOrderInput } from "@/lib/pay/orders";
import { FIRST_CHECK_AFTER_PREPAY_MS } from "@/lib/pay/rules";
import { WeChatPay } from "@/lib/wechat/pay";
import { nodeTransport } from "@/lib/wechat/transport";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "@/simulator/server";

export const PAY_START = Date.UTC(2026, 0, 15, 8, 0, 0);
export const NOTIFY_URL = "http://localhost:3000/api/pay/notify";
export const WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdefghij";

type Calls = Record<"queryOrder" | "closeOrder" | "refund" | "queryRefund", number>;

export interface PayWorld {
  readonly sim: Simulator;
  readonly pay: WeChatPay;
  /** What each WeChat Pay call of the product was, counted. */
  readonly calls: Calls;
  /** Receives every notification the simulator sends: the HTTP status to answer (default 204, applied nowhere). */
  notify: (headers: Headers, body: string) => Promise<number>;
  /** PayDeps over `db` (a second database client is a second instance). */
  deps(db: Db, overrides?: Partial<PayDeps>): PayDeps;
  /** A database client of its own for `url`, closed by close(). */
  client(url: string): Db;
  /** The test user the simulator knows, as one of our people; call after clearing the tables. */
  addPayer(db: Db): Promise<void>;
  /** An order of the simulator's first user with a prepay at the simulator (not paid). */
  prepaidOrder(deps: PayDeps, input?: Partial<CreateOrderInput>): ReturnType<typeof createOrder>;
  /** prepaidOrder, paid by the payer in WeChat (the notification sent and answered). */
  paidOrder(deps: PayDeps, input?: Partial<CreateOrderInput>): ReturnType<typeof createOrder>;
  close(): Promise<void>;
}

export async function startPayWorld(): Promise<PayWorld> {
  const transport = nodeTransport();
  const extra: Db[] = [];
  let keySeq = 0;
  const calls: Calls = { queryOrder: 0, closeOrder: 0, refund: 0, queryRefund: 0 };
  const world = {} as { -readonly [K in keyof PayWorld]: PayWorld[K] };
  world.notify = async () => 204;
  const sim = await startSimulator({
    startTime: PAY_START,
    pay: {
      waitForTimeout: () => new Promise(() => {}),
      fetch: async (_url, init) => {
        const status = await world.notify(new Headers(init?.headers ?? {}), init?.body ?? "");
        return { status, text: async () => (status < 300 ? "" : '{"code":"FAIL","message":"失败"}') };
      },
    },
  });
  const m = sim.pay.merchant();
  const pay = new WeChatPay(
    { ...m, merchantPrivateKey: m.merchantPrivateKey!, baseUrl: sim.url },
    { fetch: transport, now: () => sim.now(), sleep: async () => {}, retries: 0 },
  );
  const counted: PayClient = {
    mchid: pay.mchid,
    appid: pay.appid,
    createJsapiOrder: (input) => pay.createJsapiOrder(input),
    queryOrder: (no) => (calls.queryOrder++, pay.queryOrder(no)),
    closeOrder: (no) => (calls.closeOrder++, pay.closeOrder(no)),
    refund: (input) => (calls.refund++, pay.refund(input)),
    queryRefund: (no) => (calls.queryRefund++, pay.queryRefund(no)),
    signBridgeRequest: (id) => pay.signBridgeRequest(id),
    openNotification: (headers, body) => pay.openNotification(headers, body),
  };
  Object.assign(world, {
    sim,
    pay,
    calls,
    deps: (db: Db, overrides: Partial<PayDeps> = {}): PayDeps => ({
      db,
      appId: SIM_DEFAULTS.appId,
      now: () => new Date(sim.now()),
      client: async () => counted,
      appUrl: "http://localhost:3000",
      notifyUrl: NOTIFY_URL,
      allowedOrigins: ["https://shop.example.com"],
      webhookSecret: WEBHOOK_SECRET,
      randomBytes: (n) => new Uint8Array(n).map(() => Math.floor(Math.random() * 256)),
      ...overrides,
    }),
    client: (url: string) => {
      const db = createDb(url);
      extra.push(db);
      return db;
    },
    addPayer: async (db: Db) => {
      await db.user.create({
        data: { identities: { create: { appid: SIM_DEFAULTS.appId, openid: sim.users[0]!.openid } } },
      });
    },
    prepaidOrder: async (deps: PayDeps, input: Partial<CreateOrderInput> = {}) => {
      const made = await createOrder(deps, {
        openid: sim.users[0]!.openid,
        description: "会员月卡",
        amount: 100,
        idempotencyKey: `k${++keySeq}-${Math.random()}`,
        ...input,
      });
      const { order } = made;
      const prepay = await pay.createJsapiOrder({
        outTradeNo: order.outTradeNo,
        description: order.description,
        amount: order.amount,
        payerOpenid: order.openid,
        notifyUrl: NOTIFY_URL,
        timeExpire: order.expiresAt.getTime(),
      });
      const row = await deps.db.payOrder.update({
        where: { id: order.id },
        // As the cashier does: the sweep's first question a few minutes after the prepay (or at the expiry).
        data: {
          prepayId: prepay.prepayId,
          prepayExpiresAt: new Date(prepay.expiresAt),
          nextCheckAt: new Date(Math.min(sim.now() + FIRST_CHECK_AFTER_PREPAY_MS, order.expiresAt.getTime())),
        },
      });
      return { order: row, replayed: made.replayed };
    },
    paidOrder: async (deps: PayDeps, input: Partial<CreateOrderInput> = {}) => {
      const made = await world.prepaidOrder(deps, input);
      const paid = sim.pay.confirm({ outTradeNo: made.order.outTradeNo });
      if (paid.errMsg !== "get_brand_wcpay_request:ok") throw new Error(`not paid: ${paid.reason}`);
      await sim.pay.settled();
      return made;
    },
    close: async () => {
      await sim.close();
      await Promise.all(extra.map((db) => db.$disconnect()));
      transport.close();
    },
  });
  return world;
}
