/**
 * The message endpoint end to end over HTTP, against `next start`: pushes per second answered, p50/p99
 * answer time, and how long until every push was also applied (the person created, the subscription
 * set: the work after() does once the answer has gone).
 *
 *   BENCH_SLOT=4 npx tsx bench/messages.ts                       # build, SQLite, plaintext and aes, 10 s each
 *   BENCH_SLOT=4 npx tsx bench/messages.ts --no-build --db both --duration 5 --connections 16
 *   npx tsx bench/messages.ts --no-build --profile      # where a push's server CPU goes (next start under --cpu-prof)
 *
 * Each push is a real one, prepared before the clock starts (signed, and encrypted in aes mode, by the
 * simulator's own code): half are subscribes of new openids (a new person each, with an auto-reply),
 * half text messages from them that match a keyword rule (a passive reply). The load generator runs on
 * the same machine and takes its share of the CPU.
 */
import { mkdtemp } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { PUSH_DEFAULTS, buildPushXml, encryptFor, sign } from "../simulator/push";
import {
  APP_PORT_BASE,
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
import { nowMicros, profileReport } from "./profile";
import { percentile } from "./stats";

const { values: args } = parseArgs({
  options: {
    db: { type: "string", default: "sqlite" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "16" },
    "no-build": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
  },
});

const APP_ID = "wx5e1f0c0de0000001";
// Production refuses the simulator's development values: the bench configures its own.
const TOKEN = "benchMessageToken2026x";
const AES_KEY = "benchAesKey0123456789abcdefghijklmnopqrstuv";
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const log = (line: string) => console.error(`[bench:messages] ${line}`);

type Mode = "plaintext" | "aes";
interface Prepared {
  path: string;
  body: string;
}

/** Enough pushes for the run at up to 4,000/s, signed now (the endpoint's timestamp window is 5 minutes). */
function prepare(mode: Mode, count: number, runId: string): Prepared[] {
  const out: Prepared[] = [];
  const now = Math.floor(Date.now() / 1000);
  // MsgId is numeric: milliseconds, mode, index (19 digits at most).
  const msgBase = String(Date.now());
  for (let i = 0; i < count; i++) {
    const openid = `o_bench_${runId}_${mode}_${Math.floor(i / 2)}`;
    const xml =
      i % 2 === 0
        ? buildPushXml({ type: "subscribe", openid }, PUSH_DEFAULTS.accountId, now)
        : buildPushXml(
            {
              type: "text",
              openid,
              content: "价格多少",
              msgId: `${msgBase}${mode === "aes" ? 1 : 0}${String(i).padStart(6, "0")}`,
            },
            PUSH_DEFAULTS.accountId,
            now,
          );
    const timestamp = String(now);
    const nonce = `${runId}${i}`;
    const q = new URLSearchParams({ signature: sign([TOKEN, timestamp, nonce]), timestamp, nonce, openid });
    let body = xml;
    if (mode === "aes") {
      const encrypt = encryptFor(AES_KEY, APP_ID, xml);
      q.set("encrypt_type", "aes");
      q.set("msg_signature", sign([TOKEN, timestamp, nonce, encrypt]));
      body = `<xml><ToUserName><![CDATA[${PUSH_DEFAULTS.accountId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    }
    out.push({ path: `/api/wechat/message?${q.toString()}`, body });
  }
  return out;
}

function send(agent: http.Agent, port: number, push: Prepared): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: push.path, method: "POST", agent, headers: { "content-type": "text/xml" } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(push.body);
  });
}

interface Result {
  db: string;
  mode: Mode;
  pushes: number;
  failures: number;
  answeredPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  over5s: number;
  appliedPerSecond: number;
  serverCpuMsPerPush: number | undefined;
  /** monotonic µs (the CPU profile's clock), from the first push to the last applied */
  window: { from: number; to: number };
}

async function pendingCount(databaseUrl: string): Promise<number> {
  if (databaseUrl.startsWith("postgresql://")) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM "WeChatEvent" WHERE status = 'pending'`,
      );
      return Number(rows[0]?.n);
    } finally {
      await client.end();
    }
  }
  const db = new Database(databaseUrl.replace(/^file:/, ""));
  try {
    db.pragma("busy_timeout = 5000");
    return (db.prepare(`SELECT count(*) AS n FROM "WeChatEvent" WHERE status = 'pending'`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function measure(
  dbName: string,
  databaseUrl: string,
  port: number,
  pid: number | undefined,
  mode: Mode,
): Promise<Result> {
  const runId = Date.now().toString(36);
  const pushes = prepare(mode, DURATION_S * 4000, runId);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const cpuBefore = processCpuMs(pid);
  const from = nowMicros();
  const started = performance.now();
  const deadline = started + DURATION_S * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline && next < pushes.length) {
        const push = pushes[next++];
        if (!push) break;
        const t0 = performance.now();
        try {
          const res = await send(agent, port, push);
          if (res.status !== 200 || res.body === "") failures++;
        } catch {
          failures++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const answeredAt = performance.now();
  // Applied: every recorded event has left "pending" (after() runs in the same server process).
  while ((await pendingCount(databaseUrl)) > 0 && performance.now() - answeredAt < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const appliedAt = performance.now();
  const to = nowMicros();
  const cpuAfter = processCpuMs(pid);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const n = latencies.length;
  return {
    db: dbName,
    mode,
    pushes: n,
    failures,
    answeredPerSecond: Math.round((n / (answeredAt - started)) * 1000),
    p50: Math.round(percentile(latencies, 50) * 10) / 10,
    p99: Math.round(percentile(latencies, 99) * 10) / 10,
    max: Math.round(latencies[n - 1] ?? 0),
    over5s: latencies.filter((l) => l >= 5000).length,
    appliedPerSecond: Math.round((n / (appliedAt - started)) * 1000),
    serverCpuMsPerPush:
      cpuBefore !== undefined && cpuAfter !== undefined
        ? Math.round(((cpuAfter - cpuBefore) / n) * 100) / 100
        : undefined,
    window: { from, to },
  };
}

async function benchDatabase(name: string, url: string, port: number): Promise<Result[]> {
  await migrate(url);
  const profileDir = args.profile ? await mkdtemp(path.join(os.tmpdir(), "wcuc-messages-profile-")) : undefined;
  const { child } = await startApp(port, url, profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [], {
    WECHAT_TOKEN: TOKEN,
    WECHAT_ENCODING_AES_KEY: AES_KEY,
  });
  const results: Result[] = [];
  try {
    // The rules the pushes hit: a welcome and a keyword.
    const seed = async (sql: string) => {
      if (url.startsWith("postgresql://")) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(sql).finally(() => client.end());
      } else {
        const db = new Database(url.replace(/^file:/, ""));
        db.exec(sql);
        db.close();
      }
    };
    const now = url.startsWith("postgresql://") ? "now()" : `${Date.now()}`;
    await seed(
      `INSERT INTO "AutoReply" ("id","kind","keyword","match","reply","enabled","createdAt","updatedAt") VALUES ` +
        `('bench1','subscribe','','exact','欢迎关注',true,${now},${now}),('bench2','keyword','价格','contains','价格表见菜单',true,${now},${now})`,
    );
    // Warm-up: the first requests compile route code paths and fill the connection pools.
    await measureWarmup(port);
    for (const mode of ["plaintext", "aes"] as const) {
      log(`${name} ${mode}: ${DURATION_S} s, ${CONNECTIONS} connections`);
      const result = await measure(name, url, port, child.proc.pid, mode);
      log(JSON.stringify(result));
      results.push(result);
    }
  } finally {
    await stop(child); // SIGTERM: with --cpu-prof, node writes the profile on exit
  }
  if (profileDir) {
    const windows = results.map((r) => ({ label: r.mode, count: r.pushes, ...r.window }));
    console.log(await profileReport(name, profileDir, windows, "push"));
  }
  return results;
}

async function measureWarmup(port: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true });
  for (const push of prepare("aes", 200, `w${Date.now().toString(36)}`)) await send(agent, port, push);
  agent.destroy();
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg().map((l) => l.toFixed(1));
  await ensureBuild(args["no-build"], log);
  const all: Result[] = [];
  if (args.db === "sqlite" || args.db === "both") {
    all.push(...(await benchDatabase("SQLite", await freshSqlite(), APP_PORT_BASE + 5)));
  }
  if (args.db === "postgresql" || args.db === "both") {
    const pgDb = await freshPostgres();
    if ("skipped" in pgDb) log(pgDb.skipped);
    else {
      try {
        all.push(...(await benchDatabase("PostgreSQL", pgDb.url, APP_PORT_BASE + 6)));
      } finally {
        await dropPostgres();
      }
    }
  }
  const cpu = os.cpus()[0]?.model ?? "?";
  console.log(
    `\n${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${loadBefore.join(" ")} before the run, ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} after`,
  );
  console.log(
    "| Database | Mode | Pushes | Answered/s | p50 ms | p99 ms | max ms | ≥5 s | Applied/s | Failures | Server CPU ms/push |",
  );
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of all) {
    console.log(
      `| ${r.db} | ${r.mode} | ${r.pushes} | ${r.answeredPerSecond} | ${r.p50} | ${r.p99} | ${r.max} | ${r.over5s} | ${r.appliedPerSecond} | ${r.failures} | ${r.serverCpuMsPerPush ?? "?"} |`,
    );
  }
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
