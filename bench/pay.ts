/**
 * WeChat Pay's payment notifications over HTTP against `next start` (issue 13): each order notified 3
 * times at once, as WeChat Pay does when it retries over a slow answer, on SQLite and PostgreSQL.
 *
 *   BENCH_SLOT=6 npm run bench:pay                                   # build, both databases, 1,500 orders x 3 rounds
 *   BENCH_SLOT=6 npx tsx --conditions=react-server bench/pay.ts --no-build --db sqlite --orders 1000 --rounds 2
 *   BENCH_SLOT=6 npx tsx --conditions=react-server bench/pay.ts --no-build --db postgres --profile   # where the CPU goes
 *
 * The notifications are the simulator's own (simulator/pay, in this process): each order is prepaid in its
 * books and paid by its payer, and its notifier, scripted to send 3 concurrent copies, builds them (the
 * resource AES-256-GCM-encrypted with the APIv3 key, every copy signed with WeChat Pay's platform key)
 * into a capturing fetch, before the clock starts. The app runs as a real merchant (the six WECHAT_PAY_*
 * variables, from the simulator's material), its orders written straight into the database as unpaid
 * with their prepay, the way the cashier leaves them.
 *
 * Each round sends the bare route (`/api/bench/floor`) as many requests at the same concurrency, half
 * before and half after the notifications, so the server CPU per notification stands beside a bare
 * request's in the same server over the same stretch of time. After each round: every order paid exactly once with WeChat Pay's transaction id, one `notified`
 * and one `paid` event each, no incident, and the paid amounts adding up to what was ordered; any failure
 * (a non-204 answer, a broken check) exits 1. Results also go to bench/results/pay-<timestamp>.json.
 * The load generator shares the machine and its CPU with the server.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb, type Db } from "@/lib/db";
import { startSimulator, type Simulator } from "../simulator/server";
import { nowMicros, profileReport, type ProfiledWindow } from "./profile";
import {
  APP_PORT_BASE,
  ROOT,
  dropPostgres,
  ensureBuild,
  freshPostgres,
  freshSqlite,
  migrate,
  processCpuMs,
  startApp,
  stop,
  stopAll,
} from "./servers";
import { median, percentile } from "./stats";

const { values: args } = parseArgs({
  options: {
    db: { type: "string", default: "both" },
    orders: { type: "string", default: "1500" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "8" },
    "no-build": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
  },
});

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}
const ORDERS = positiveInt("orders", args.orders);
const ROUNDS = positiveInt("rounds", args.rounds);
/** Orders notified at once; each sends its 3 copies together, so 3x as many requests are in flight. */
const CONCURRENCY = positiveInt("concurrency", args.concurrency);
const COPIES = 3;
type DbName = "sqlite" | "postgres";
const dbArg = args.db === "postgresql" ? "postgres" : args.db;
const DATABASES: DbName[] =
  dbArg === "both" ? ["sqlite", "postgres"] : dbArg === "sqlite" || dbArg === "postgres" ? [dbArg] : [];
if (DATABASES.length === 0) throw new Error(`--db must be sqlite, postgres (postgresql) or both, got "${args.db}"`);
const LABEL: Record<DbName, string> = { sqlite: "SQLite", postgres: "PostgreSQL" };

const log = (line: string) => console.error(`[bench:pay] ${line}`);

// ---- the notifications ----

interface CapturedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** One order as the app holds it and as WeChat Pay will notify it. */
interface BenchOrder {
  readonly outTradeNo: string;
  readonly openid: string;
  readonly amount: number;
  readonly prepayId: string;
  /** WeChat Pay's, from the simulator's books once paid. */
  readonly transactionId: string;
  /** The 3 copies of its TRANSACTION.SUCCESS notification, each signed afresh. */
  readonly copies: readonly CapturedRequest[];
}

/** Amounts from 1 fen to ¥999.99, spread so that a lost or doubled order shows in the sum. */
const amountOf = (i: number) => 1 + ((i * 7919) % 99_999);

/**
 * `count` orders paid in the simulator, with their notifications captured (not sent). The signatures
 * carry the current time: WeChat Pay's 5-minute window starts now, so a round is made just before it runs.
 */
async function makeOrders(
  sim: Simulator,
  captured: Map<string, CapturedRequest[]>,
  notifyUrl: string,
  prefix: string,
  count: number,
): Promise<BenchOrder[]> {
  const { appid, mchid } = sim.pay.merchant();
  const made: Omit<BenchOrder, "copies" | "transactionId">[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const outTradeNo = `${prefix}${String(i).padStart(6, "0")}`;
    const openid = sim.users[i % sim.users.length]!.openid;
    const amount = amountOf(i);
    const prepay = sim.pay.ledger.prepay({
      appid,
      mchid,
      description: "会员月卡",
      outTradeNo,
      total: amount,
      openid,
      notifyUrl,
      attach: null,
      timeExpire: null,
    });
    if (!("prepayId" in prepay)) throw new Error(`the simulator refused the prepay of ${outTradeNo}: ${prepay.code}`);
    sim.pay.notifier.script({ kind: "duplicate", copies: COPIES });
    const paid = sim.pay.confirm({ prepayId: prepay.prepayId });
    if (paid.errMsg !== "get_brand_wcpay_request:ok") throw new Error(`${outTradeNo} not paid: ${paid.reason}`);
    // confirm() emitted the notification: the newest record is this order's.
    const record = sim.pay.notifier.list().at(-1);
    if (record?.outTradeNo !== outTradeNo) throw new Error(`no notification recorded for ${outTradeNo}`);
    ids.push(record.id);
    made.push({ outTradeNo, openid, amount, prepayId: prepay.prepayId });
  }
  await sim.pay.settled();
  return made.map((order, i) => {
    const copies = captured.get(ids[i]!) ?? [];
    captured.delete(ids[i]!);
    if (copies.length !== COPIES) throw new Error(`${order.outTradeNo}: ${copies.length} copies captured`);
    return { ...order, transactionId: sim.pay.order(order.outTradeNo)!.transactionId!, copies };
  });
}

/** The orders as the cashier leaves them: unpaid, with their prepay, the sweep not due before the round ends. */
async function seedOrders(db: Db, orders: readonly BenchOrder[], appId: string, mchid: string): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < orders.length; i += 500) {
    await db.payOrder.createMany({
      data: orders.slice(i, i + 500).map((o, j) => ({
        appId,
        mchid,
        outTradeNo: o.outTradeNo,
        userId: `bench-payer-${(i + j) % 50}`,
        openid: o.openid,
        description: "会员月卡",
        amount: o.amount,
        state: "unpaid",
        prepayId: o.prepayId,
        prepayExpiresAt: new Date(now + 2 * 3600_000),
        caller: "internal",
        expiresAt: new Date(now + 1800_000),
        // As orders.ts leaves it: the sweep asks WeChat Pay at the expiry, long after the round.
        nextCheckAt: new Date(now + 1800_000),
        createdAt: new Date(now),
      })),
    });
  }
}

// ---- the load ----

interface Answer {
  readonly status: number;
  readonly ms: number;
}

function send(
  agent: http.Agent,
  port: number,
  method: "GET" | "POST",
  urlPath: string,
  request?: CapturedRequest,
): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: urlPath,
        method,
        agent,
        headers: request ? { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) } : {},
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
        res.on("error", () => resolve({ status: 0, ms: performance.now() - t0 }));
      },
    );
    req.on("error", () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.end(request?.body);
  });
}

/** What one stretch of load was answered, and the server's CPU over it. */
interface Stretch {
  readonly answers: readonly Answer[];
  readonly seconds: number;
  readonly cpuMs: number | undefined;
  /** monotonic µs (the CPU profile's clock) */
  readonly from: number;
  readonly to: number;
}

/** `jobs` units of work by `workers` loops at once, each unit a batch of requests sent together. */
async function stretch(
  pid: number | undefined,
  workers: number,
  jobs: number,
  unit: (i: number, agent: http.Agent) => Promise<Answer[]>,
): Promise<Stretch> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers * COPIES });
  const answers: Answer[] = [];
  let next = 0;
  const cpuBefore = processCpuMs(pid);
  const from = nowMicros();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < jobs) answers.push(...(await unit(next++, agent)));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const to = nowMicros();
  const cpuAfter = processCpuMs(pid);
  agent.destroy();
  const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { answers, seconds, cpuMs, from, to };
}

interface Segment {
  readonly requests: number;
  readonly failures: number;
  /** answer statuses other than the expected one, and how often */
  readonly statuses: Record<string, number>;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** answers that took WeChat Pay's 5 s or longer (it counts them as failed and sends again) */
  readonly over5s: number;
  /** the server's CPU over the stretches divided by their requests */
  readonly cpuMsPerRequest: number | undefined;
}

/** One or more stretches of the same requests as one figure (the floor runs before and after the notifications). */
function summarize(parts: readonly Stretch[], expected: number): Segment {
  const answers = parts.flatMap((p) => p.answers);
  const sorted = answers.map((a) => a.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const a of answers) if (a.status !== expected) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const cpu = parts.every((p) => p.cpuMs !== undefined) ? parts.reduce((sum, p) => sum + p.cpuMs!, 0) : undefined;
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return {
    requests: answers.length,
    failures: answers.filter((a) => a.status !== expected).length,
    statuses,
    seconds: Math.round(parts.reduce((sum, p) => sum + p.seconds, 0) * 100) / 100,
    p50Ms: round1(percentile(sorted, 50)),
    p99Ms: round1(percentile(sorted, 99)),
    maxMs: round1(sorted.at(-1) ?? 0),
    over5s: sorted.filter((ms) => ms >= 5000).length,
    cpuMsPerRequest: cpu === undefined ? undefined : Math.round((cpu / answers.length) * 1000) / 1000,
  };
}

// ---- the check ----

interface Ledger {
  readonly orders: number;
  readonly paid: number;
  readonly expectedFen: number;
  readonly paidFen: number;
  /** what is wrong, one line per kind of problem (the first few orders named) */
  readonly problems: string[];
}

/** Every order of the round paid once, as WeChat Pay says, and nothing else recorded. */
async function checkLedger(db: Db, prefix: string, orders: readonly BenchOrder[]): Promise<Ledger> {
  const rows = await db.payOrder.findMany({
    where: { outTradeNo: { startsWith: prefix } },
    select: {
      id: true,
      outTradeNo: true,
      state: true,
      paidAt: true,
      transactionId: true,
      amount: true,
      payerTotal: true,
    },
  });
  const events = await db.payOrderEvent.groupBy({
    by: ["orderId", "kind"],
    where: { order: { outTradeNo: { startsWith: prefix } } },
    _count: { _all: true },
  });
  const incidents = await db.payIncident.count({ where: { outTradeNo: { startsWith: prefix } } });
  const counts = new Map(events.map((e) => [`${e.orderId} ${e.kind}`, e._count._all]));
  const byNo = new Map(rows.map((r) => [r.outTradeNo, r]));
  const wrong = new Map<string, string[]>();
  const flag = (kind: string, no: string) => wrong.set(kind, [...(wrong.get(kind) ?? []), no]);
  let paid = 0;
  let paidFen = 0;
  for (const o of orders) {
    const row = byNo.get(o.outTradeNo);
    if (!row) {
      flag("missing", o.outTradeNo);
      continue;
    }
    if (row.state !== "paid" || row.paidAt === null) flag("not paid", o.outTradeNo);
    else {
      paid++;
      paidFen += row.payerTotal ?? 0;
    }
    if (row.transactionId !== o.transactionId) flag("another transaction id", o.outTradeNo);
    if (row.amount !== o.amount) flag("another amount", o.outTradeNo);
    for (const kind of ["notified", "paid"]) {
      const n = counts.get(`${row.id} ${kind}`) ?? 0;
      if (n !== 1) flag(`${n} "${kind}" events`, o.outTradeNo);
    }
  }
  if (rows.length !== orders.length) flag(`${rows.length} rows for ${orders.length} orders`, prefix);
  const problems = [...wrong].map(([kind, nos]) => `${kind}: ${nos.length} (${nos.slice(0, 3).join(", ")})`);
  if (incidents > 0) problems.push(`${incidents} incidents`);
  const expectedFen = orders.reduce((sum, o) => sum + o.amount, 0);
  if (paidFen !== expectedFen) problems.push(`paid ${paidFen} fen, ordered ${expectedFen} fen`);
  return { orders: orders.length, paid, expectedFen, paidFen, problems };
}

// ---- a database ----

interface Round {
  readonly round: number;
  /** 1-minute load average before the round */
  readonly load: number;
  readonly notify: Segment;
  readonly floor: Segment;
  readonly ordersPerSecond: number;
  readonly ratio: number | undefined;
  readonly ledger: Ledger;
}

interface DbResult {
  readonly db: DbName;
  readonly rounds: readonly Round[];
  readonly skipped?: string;
}

async function benchDatabase(
  db: DbName,
  port: number,
  sim: Simulator,
  captured: Map<string, CapturedRequest[]>,
): Promise<DbResult> {
  let url: string;
  if (db === "sqlite") url = await freshSqlite();
  else {
    const fresh = await freshPostgres();
    if ("skipped" in fresh) {
      log(`postgres: skipped, ${fresh.skipped}`);
      return { db, rounds: [], skipped: fresh.skipped };
    }
    url = fresh.url;
  }
  log(`${db}: migrating`);
  await migrate(url);
  const m = sim.pay.merchant();
  const profileDir = args.profile ? await mkdtemp(path.join(os.tmpdir(), "wcuc-pay-profile-")) : undefined;
  const { child, appUrl } = await startApp(
    port,
    url,
    profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
    {
      // A real merchant's configuration, the simulator's keys (the API base is never called here).
      WECHAT_PAY_MCHID: m.mchid,
      WECHAT_PAY_PRIVATE_KEY: m.merchantPrivateKey!,
      WECHAT_PAY_CERT_SERIAL: m.merchantSerialNo,
      WECHAT_PAY_API_V3_KEY: m.apiV3Key,
      WECHAT_PAY_PUBLIC_KEY: m.wechatpayPublicKey,
      WECHAT_PAY_PUBLIC_KEY_ID: m.wechatpayPublicKeyId,
      WECHAT_PAY_BASE: sim.url,
      PAY_WEBHOOK_SECRET: randomBytes(32).toString("base64url"),
    },
  );
  const database = createDb(url);
  const rounds: Round[] = [];
  const windows: ProfiledWindow[] = [];
  const notifyUrl = `${appUrl}/api/pay/notify`;
  const pid = child.proc.pid;
  try {
    const floorCheck = await fetch(`${appUrl}/api/bench/floor`);
    await floorCheck.body?.cancel();
    if (floorCheck.status !== 200) throw new Error(`/api/bench/floor answered ${floorCheck.status}`);

    const run = async (tag: string, count: number) => {
      const prefix = `BP${tag}${Date.now().toString(36)}`;
      const orders = await makeOrders(sim, captured, notifyUrl, prefix, count);
      await seedOrders(database, orders, m.appid, m.mchid);
      return { prefix, orders };
    };
    const notifyUnit = (orders: readonly BenchOrder[]) => (i: number, agent: http.Agent) =>
      Promise.all(orders[i]!.copies.map((c) => send(agent, port, "POST", "/api/pay/notify", c)));
    const floorUnit = (_i: number, agent: http.Agent) =>
      Promise.all(Array.from({ length: COPIES }, () => send(agent, port, "GET", "/api/bench/floor")));

    // Warm-up: the route's code paths compiled, the pools filled, the key objects made.
    log(`${db}: warm-up`);
    const warm = await run("w", Math.min(200, ORDERS));
    await stretch(pid, CONCURRENCY, warm.orders.length, notifyUnit(warm.orders));
    await stretch(pid, CONCURRENCY, warm.orders.length, floorUnit);
    const warmLedger = await checkLedger(database, warm.prefix, warm.orders);
    if (warmLedger.problems.length > 0) throw new Error(`warm-up: ${warmLedger.problems.join("; ")}`);

    for (let round = 1; round <= ROUNDS; round++) {
      const { prefix, orders } = await run(`r${round}`, ORDERS);
      // The server idled while the round was made: wake it (unmeasured) so that no figure pays for that.
      await stretch(pid, CONCURRENCY, 50, floorUnit);
      const load = Math.round(os.loadavg()[0]! * 100) / 100;
      log(`${db} round ${round}: ${ORDERS} orders x ${COPIES} copies, ${CONCURRENCY} orders at once, load ${load}`);
      // The floor half before and half after the notifications, so that drift (JIT, GC, a neighbour's
      // build) weighs on both alike; as many requests in all, at the same concurrency.
      const half = Math.floor(orders.length / 2);
      const before = await stretch(pid, CONCURRENCY, half, floorUnit);
      const notified = await stretch(pid, CONCURRENCY, orders.length, notifyUnit(orders));
      const after = await stretch(pid, CONCURRENCY, orders.length - half, floorUnit);
      const notify = summarize([notified], 204);
      const floor = summarize([before, after], 200);
      const ledger = await checkLedger(database, prefix, orders);
      const result: Round = {
        round,
        load,
        notify,
        floor,
        ordersPerSecond: Math.round(orders.length / notify.seconds),
        ratio:
          notify.cpuMsPerRequest !== undefined && floor.cpuMsPerRequest
            ? Math.round((notify.cpuMsPerRequest / floor.cpuMsPerRequest) * 100) / 100
            : undefined,
        ledger,
      };
      log(
        `${db} round ${round}: ${Math.round(notify.requests / notify.seconds)} notifications/s, p99 ${notify.p99Ms} ms, ` +
          `CPU ${notify.cpuMsPerRequest} ms vs floor ${floor.cpuMsPerRequest} ms (${result.ratio}x), ` +
          `${ledger.paid}/${ledger.orders} paid${ledger.problems.length ? `, PROBLEMS: ${ledger.problems.join("; ")}` : ""}`,
      );
      rounds.push(result);
      windows.push(
        { label: `${LABEL[db]} round ${round}: floor before`, count: before.answers.length, ...before },
        { label: `${LABEL[db]} round ${round}: notifications`, count: notified.answers.length, ...notified },
        { label: `${LABEL[db]} round ${round}: floor after`, count: after.answers.length, ...after },
      );
    }
  } finally {
    await database.$disconnect();
    await stop(child); // SIGTERM: with --cpu-prof, node writes the profile on exit
    if (db === "postgres") await dropPostgres().catch(() => undefined);
  }
  if (profileDir) console.log(await profileReport(LABEL[db], profileDir, windows, "request"));
  return { db, rounds };
}

// ---- the report ----

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
};

const ms = (n: number | undefined, digits = 2) => (n === undefined ? "n/a" : `${n.toFixed(digits)} ms`);
const num = (n: number) => Math.round(n).toLocaleString("en-US");

function report(results: readonly DbResult[]): string {
  const lines = [
    `Command: \`${["npx tsx bench/pay.ts", ...process.argv.slice(2)].join(" ")}\``,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}; ` +
      `load generator on the same machine. ${ORDERS} orders a round, each notified ${COPIES} times at once, ` +
      `${CONCURRENCY} orders (${CONCURRENCY * COPIES} requests) in flight; the floor as many requests at the same concurrency, half before and half after.`,
    "",
    "| Database | Round | Load | Notifications/s | Orders applied/s | p50 | p99 | max | ≥ 5 s | CPU/notification | CPU/floor request | ÷ floor | Failures | Exactly once |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of results) {
    if (r.skipped) lines.push(`| ${LABEL[r.db]} | skipped: ${r.skipped} | | | | | | | | | | | | |`);
    for (const x of r.rounds) {
      const n = x.notify;
      const l = x.ledger;
      const once =
        l.problems.length === 0
          ? `yes (${num(l.paid)} paid, ¥${(l.paidFen / 100).toFixed(2)})`
          : `**NO**: ${l.problems.join("; ")}`;
      lines.push(
        `| ${LABEL[r.db]} | ${x.round} | ${x.load} | ${num(n.requests / n.seconds)} | ${num(x.ordersPerSecond)} | ${n.p50Ms} ms | ${n.p99Ms} ms | ${n.maxMs} ms | ${n.over5s} | ` +
          `${ms(n.cpuMsPerRequest)} | ${ms(x.floor.cpuMsPerRequest)} | ${x.ratio === undefined ? "n/a" : `**${x.ratio.toFixed(2)}x**`} | ${n.failures + x.floor.failures} | ${once} |`,
      );
    }
    if (r.rounds.length > 1) {
      const ratios = r.rounds.map((x) => x.ratio).filter((v) => v !== undefined);
      lines.push(
        `| ${LABEL[r.db]} | median | | ${num(median(r.rounds.map((x) => x.notify.requests / x.notify.seconds)))} | ${num(median(r.rounds.map((x) => x.ordersPerSecond)))} | ` +
          `${median(r.rounds.map((x) => x.notify.p50Ms)).toFixed(1)} ms | ${median(r.rounds.map((x) => x.notify.p99Ms)).toFixed(1)} ms | | | ` +
          `${ms(median(r.rounds.map((x) => x.notify.cpuMsPerRequest ?? 0)))} | ${ms(median(r.rounds.map((x) => x.floor.cpuMsPerRequest ?? 0)))} | ` +
          `${ratios.length ? `**${median(ratios).toFixed(2)}x**` : "n/a"} | | |`,
      );
    }
  }
  lines.push(
    "",
    "Server CPU is the app process's user + system time (all threads) over the segment, divided by its requests. " +
      "Target (issue 13): a notification at most 2x a bare request's CPU, p99 well under WeChat Pay's 5 s.",
  );
  return lines.join("\n");
}

// ---- main ----

async function main(): Promise<number> {
  log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  await ensureBuild(args["no-build"], log);
  // The notifications' copies, by notification id: the notifier "sends" into this map and is answered 204.
  const captured = new Map<string, CapturedRequest[]>();
  const sim = await startSimulator({
    pay: {
      waitForTimeout: () => new Promise(() => {}),
      fetch: async (_url, init) => {
        const body = init?.body ?? "";
        const id = (JSON.parse(body) as { id: string }).id;
        captured.set(id, [...(captured.get(id) ?? []), { headers: { ...init?.headers }, body }]);
        return { status: 204, text: async () => "" };
      },
    },
  });
  const results: DbResult[] = [];
  try {
    for (const [i, db] of DATABASES.entries())
      results.push(await benchDatabase(db, APP_PORT_BASE + 7 + i, sim, captured));
  } finally {
    await sim.close();
  }
  console.log(`\n${report(results)}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.join(ROOT, "bench", "results", `pay-${stamp}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  const options = { orders: ORDERS, rounds: ROUNDS, concurrency: CONCURRENCY, copies: COPIES };
  await writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), machine, options, results }, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, file)}`);
  const failed = results.flatMap((r) =>
    r.rounds.filter((x) => x.notify.failures + x.floor.failures > 0 || x.ledger.problems.length > 0),
  );
  for (const r of results)
    for (const x of r.rounds) {
      for (const [status, n] of Object.entries(x.notify.statuses))
        log(`${r.db} round ${x.round}: ${n} notifications answered ${status}`);
    }
  if (failed.length > 0) log(`${failed.length} rounds failed: the figures above do not count`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  async (code) => {
    await stopAll();
    process.exit(code);
  },
  async (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    await stopAll();
    process.exit(1);
  },
);
