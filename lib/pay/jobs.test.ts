// The pay sweep's jobs on SQLite and PostgreSQL against the simulator: pay.reconcile heals a payment whose
// notification never came and closes an expired order; pay.webhooks delivers over HTTP, signed, the same
// Wcuc-Webhook-Id on every attempt, retried on the schedule until a 2xx with each attempt recorded, sent
// once by two instances at once, and failed after 24 hours without an answer.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { runJobInline } from "@/lib/jobs";
import { forEachDatabase } from "@/test/support/db";
import { WEBHOOK_SECRET, startPayWorld, type PayWorld } from "@/test/support/pay";
import type { PayDeps } from "./deps";
import { payReconcileJob, payWebhooksJob } from "./jobs";
import { receivePaymentNotification } from "./notify";
import { FIRST_CHECK_AFTER_PREPAY_MS, WEBHOOK_HEADERS, verifyWebhook } from "./rules";
import { deliverDueWebhooks } from "./webhooks";

interface Hit {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

forEachDatabase((kind, database) => {
  let world: PayWorld;
  let deps: PayDeps;
  let other: PayDeps;
  let db: Db;
  let server: Server;
  let origin: string;
  const hits: Hit[] = [];
  let answer: () => number = () => 204;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        hits.push({ headers: req.headers, body });
        res.writeHead(answer()).end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    world = await startPayWorld();
    db = database().db;
    const allowedOrigins = [origin, "http://127.0.0.1:1"];
    deps = world.deps(db, { allowedOrigins });
    other = kind === "postgresql" ? world.deps(world.client(database().url), { allowedOrigins }) : deps;
  });
  afterAll(async () => {
    await world.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(async () => {
    world.sim.pay.reset();
    hits.length = 0;
    answer = () => 204;
    world.notify = async (headers, body) => (await receivePaymentNotification(deps, headers, body), 204);
    await db.payIncident.deleteMany();
    await db.payOrder.deleteMany();
    await db.identity.deleteMany();
    await db.user.deleteMany();
    await world.addPayer(db);
  });

  const place = () => ({ db, now: deps.now, holder: "test" });
  const reconcile = () =>
    runJobInline(
      payReconcileJob(() => deps),
      {},
      place(),
    );
  const deliver = () =>
    runJobInline(
      payWebhooksJob(() => deps),
      {},
      place(),
    );

  it("pay.reconcile: a payment whose notification never came is paid at the first check after the prepay", async () => {
    world.sim.pay.notifier.script({ kind: "drop" });
    const { order } = await world.paidOrder(deps);
    expect(await reconcile()).toEqual({ orders: 0, refundsResent: 0, refundsQueried: 0 });
    world.sim.advance(FIRST_CHECK_AFTER_PREPAY_MS / 1000);
    expect(await reconcile()).toEqual({ orders: 1, refundsResent: 0, refundsQueried: 0 });
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).state).toBe("paid");

    const { order: lapsed } = await world.prepaidOrder(deps, { expiresInSeconds: 600 });
    world.sim.advance(600);
    await reconcile();
    expect((await db.payOrder.findUniqueOrThrow({ where: { id: lapsed.id } })).state).toBe("closed");
    expect(
      await runJobInline(
        payReconcileJob(() => null),
        {},
        place(),
      ),
    ).toEqual({
      orders: 0,
      refundsResent: 0,
      refundsQueried: 0,
    });
  });

  it("pay.webhooks: signed, retried on the schedule until a 2xx, every attempt recorded", async () => {
    const { order } = await world.paidOrder(deps, { webhookUrl: `${origin}/hooks/pay` });
    const [hook] = await db.payWebhook.findMany({ where: { orderId: order.id } });
    answer = () => 500;
    expect(await deliver()).toEqual({ delivered: 0, retry: 1, failed: 0 });
    expect(await deliver()).toEqual({ delivered: 0, retry: 0, failed: 0 });
    world.sim.advance(30);
    expect(await deliver()).toEqual({ delivered: 0, retry: 1, failed: 0 });
    world.sim.advance(59);
    expect(await deliver()).toEqual({ delivered: 0, retry: 0, failed: 0 });
    world.sim.advance(1);
    answer = () => 204;
    expect(await deliver()).toEqual({ delivered: 1, retry: 0, failed: 0 });

    expect(hits).toHaveLength(3);
    for (const hit of hits) {
      expect(hit.body).toBe(hook!.body);
      expect(hit.headers[WEBHOOK_HEADERS.id]).toBe(hook!.id);
      expect(hit.headers[WEBHOOK_HEADERS.event]).toBe("order.paid");
      expect(hit.headers["content-type"]).toBe("application/json");
      const timestamp = hit.headers[WEBHOOK_HEADERS.timestamp] as string;
      const signature = hit.headers[WEBHOOK_HEADERS.signature] as string;
      expect(verifyWebhook(WEBHOOK_SECRET, { timestamp, signature }, hit.body, Number(timestamp))).toBe(true);
      expect(
        verifyWebhook("another-secret-0123456789abcdefghijklmn", { timestamp, signature }, hit.body, Number(timestamp)),
      ).toBe(false);
    }
    expect(new Set(hits.map((h) => h.headers[WEBHOOK_HEADERS.timestamp])).size).toBe(3);
    expect(JSON.parse(hits[0]!.body)).toMatchObject({ type: "order.paid", order: { id: order.id, status: "paid" } });
    const row = await db.payWebhook.findUniqueOrThrow({ where: { id: hook!.id }, include: { attemptLog: true } });
    expect(row).toMatchObject({
      state: "delivered",
      attempts: 3,
      lastStatus: 204,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(row.attemptLog.sort((a, b) => a.n - b.n).map((a) => [a.n, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 204],
    ]);
    world.sim.advance(3600);
    expect(await deliver()).toEqual({ delivered: 0, retry: 0, failed: 0 });
    expect(hits).toHaveLength(3);
  });

  it("pay.webhooks: two instances at once send a webhook once", async () => {
    await world.paidOrder(deps, { webhookUrl: `${origin}/hooks/pay` });
    const [a, b] = await Promise.all([deliverDueWebhooks(deps), deliverDueWebhooks(other)]);
    expect(a.delivered + b.delivered).toBe(1);
    expect(hits).toHaveLength(1);
    expect(await db.payWebhookAttempt.count()).toBe(1);
  });

  it("pay.webhooks: no answer is recorded without a status, and after 24 hours the webhook has failed", async () => {
    const { order } = await world.paidOrder(deps, { webhookUrl: "http://127.0.0.1:1/hooks/pay" });
    expect(await deliver()).toEqual({ delivered: 0, retry: 1, failed: 0 });
    let tries = 1;
    for (let hours = 0; hours < 25; hours++) {
      world.sim.advance(3600);
      const outcome = (await deliver()) as { retry: number; failed: number };
      tries += outcome.retry + outcome.failed;
      if (outcome.failed) break;
    }
    const row = await db.payWebhook.findFirstOrThrow({ where: { orderId: order.id }, include: { attemptLog: true } });
    expect(row).toMatchObject({ state: "failed", nextAttemptAt: null, lastStatus: null });
    expect(row.attempts).toBe(tries);
    expect(row.attemptLog.every((a) => a.status === null && a.error)).toBe(true);
    // The last attempt at the 24th hour, none after.
    const last = Math.max(...row.attemptLog.map((a) => a.at.getTime()));
    expect(last - row.createdAt.getTime()).toBe(24 * 3600_000);
  });
});
