/**
 * A mass send of a template message at scale: the simulator with N generated followers (default 100,000),
 * the people made by the real follower sync, then `npm run wechat:send-template` (the real CLI, through
 * the central token service) to all of them, on a fresh SQLite and a fresh PostgreSQL database. The
 * simulator reports every message back (TEMPLATESENDJOBFINISH, 50 ms later) to the message endpoint
 * (lib's receivePush, served here), which applies the delivery statuses.
 *
 * Figures: the send's wall time and sends per second; the CLI's peak RSS (the kernel's high-water mark)
 * and its RSS sampled each second (flat or not); delivery statuses applied per second. Then a second send
 * to the same people is killed with SIGKILL at about half and resumed with `--job`: the simulator's count
 * per openid must then be exactly 2 for everyone (0 duplicates, 0 lost).
 *
 *   BENCH_SLOT=3 npx tsx --conditions=react-server bench/template-send.ts                  # both databases
 *   BENCH_SLOT=3 npx tsx --conditions=react-server bench/template-send.ts --db sqlite --followers 20000
 *
 * Targets (issue 12, 2 cores): 100,000 sent in under 3 minutes, RSS under 250 MB and flat, 0 duplicates
 * and 0 lost after the kill. Results also go to bench/results/template-send-<timestamp>.json.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createDb, type Db } from "@/lib/db";
import { ApplyQueue } from "@/lib/messages/apply-queue";
import { autoReplyCache } from "@/lib/messages/auto-replies";
import { randomReplyNonce, type MessageDeps } from "@/lib/messages/endpoint";
import { openMessageStore } from "@/lib/messages/open-store";
import { MessageCrypto } from "@/lib/wechat/message-crypto";
import { serveMessageEndpoint } from "../test/support/messages";
import { POSTGRES_ADMIN_URL, ROOT, SIM_URL, freshNamedDatabase, migrate, startSimulator, stopAll } from "./servers";

const { values: args } = parseArgs({
  options: {
    db: { type: "string", default: "both" },
    followers: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "8" },
    batch: { type: "string", default: "200" },
  },
});
const FOLLOWERS = Number(args.followers);
const kinds = args.db === "both" ? ["sqlite", "postgresql"] : [args.db];
const SQLITE_FILE = path.join(ROOT, "data/bench-template-send.db");
const PG_NAME = "wcuc_bench_templates";
const APP_ID = "wx5e1f0c0de0000001";
/** The simulator's message-endpoint defaults (simulator/push/pusher.ts PUSH_DEFAULTS). */
const PUSH_TOKEN = "simmessagetoken2026";
const PUSH_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

const log = (line: string) => process.stderr.write(`${line}\n`);
const number = (n: number) => n.toLocaleString("en-US");

const freshDatabase = (kind: string) => freshNamedDatabase(kind, SQLITE_FILE, PG_NAME);

function cliEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: databaseUrl,
    WECHAT_API_BASE: SIM_URL,
    WECHAT_API_BACKUP_BASE: SIM_URL,
    WECHAT_OAUTH_BASE: SIM_URL,
    APP_URL: "http://localhost:3000",
    WCUC_LOG: "silent",
    CHECKPOINT_DISABLE: "1",
  } as unknown as NodeJS.ProcessEnv;
}

/** A CLI of prisma/scripts as package.json runs it, in one process (tsx as a loader), in its own group. */
function cli(script: string, cliArgs: string[], databaseUrl: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      "--max-old-space-size=128",
      "--conditions=react-server",
      // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each CLI run there (where the send's time goes).
      ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      "--import",
      "tsx/esm",
      script,
      ...cliArgs,
    ],
    { cwd: ROOT, env: cliEnv(databaseUrl), stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
}

/** Resident memory of a process now, in MB (Linux /proc), or null once it is gone. */
function rssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

interface CliRun {
  readonly seconds: number;
  readonly tail: string;
  readonly code: number | null;
  /** RSS each second, MB */
  readonly rss: number[];
}

/**
 * Runs a CLI, sampling its RSS each second; `killWhen(tail)` (asked every 100 ms) true: SIGKILL the group
 * at once, as a crash would leave it.
 */
function run(child: ChildProcess, killWhen?: (tail: string) => Promise<boolean>): Promise<CliRun> {
  const started = Date.now();
  const rss: number[] = [];
  const sampler = setInterval(() => {
    const mb = child.pid ? rssMb(child.pid) : null;
    if (mb !== null) rss.push(mb);
  }, 1000);
  let asking = false;
  const killer = setInterval(() => {
    if (!killWhen || asking) return;
    asking = true;
    void killWhen(tail)
      .then((kill) => {
        if (kill && killWhen && child.pid) {
          killWhen = undefined;
          process.kill(-child.pid, "SIGKILL");
        }
      })
      .finally(() => (asking = false));
  }, 100);
  let tail = "";
  return new Promise((resolve) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-8000);
      const last = tail
        .split(/[\r\n]/)
        .filter(Boolean)
        .pop();
      if (last) process.stderr.write(`\r  ${last.slice(0, 150)}`);
    });
    child.once("exit", (code) => {
      clearInterval(sampler);
      clearInterval(killer);
      process.stderr.write("\n");
      resolve({ seconds: (Date.now() - started) / 1000, tail, code, rss });
    });
  });
}

/** The message endpoint (lib's receivePush) on a port of its own, for the simulator's delivery reports. */
async function serveEndpoint(db: Db, url: string): Promise<{ url: string; close(): Promise<void> }> {
  const deps: MessageDeps = {
    db,
    store: openMessageStore(db, url, APP_ID),
    appId: APP_ID,
    token: PUSH_TOKEN,
    crypto: new MessageCrypto(PUSH_AES_KEY, APP_ID),
    now: () => new Date(),
    replyNonce: randomReplyNonce,
    autoReplies: autoReplyCache(db),
  };
  let failures = 0;
  // As the route runs it: the answer first, then events and reports applied in batches.
  return serveMessageEndpoint(deps, {
    afterAnswer: new ApplyQueue(deps),
    onError: (error) => {
      if (failures++ < 3) log(`\n  endpoint: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
}

async function simStats(): Promise<{
  total: number;
  openids: number;
  maxPerOpenid: number;
  reports: { ok: number; failed: number; lastError: string | null };
}> {
  return (await (await fetch(`${SIM_URL}/__sim/template/sends`)).json()) as never;
}

async function delivered(db: Db, jobId: string): Promise<number> {
  return db.outboundMessage.count({ where: { jobId, status: "delivered" } });
}

/** Polls until every recipient's report is applied (or 5 minutes): when that was, from `since`. */
async function waitDelivered(db: Db, jobId: string, since: number): Promise<number> {
  for (;;) {
    const n = await delivered(db, jobId);
    if (n >= FOLLOWERS) return (Date.now() - since) / 1000;
    if (Date.now() - since > 300_000) {
      const { reports } = await simStats();
      throw new Error(
        `only ${n} of ${FOLLOWERS} delivered after 5 minutes; the simulator's reports: ${reports.ok} taken, ` +
          `${reports.failed} not (last: ${reports.lastError ?? "-"})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Result {
  readonly db: string;
  readonly sendSeconds: number;
  readonly sendsPerSecond: number;
  readonly peakRssMb: number;
  readonly rssQuartilesMb: number[];
  readonly deliveredPerSecond: number;
  readonly killedAt: number;
  readonly resumeSeconds: number;
  readonly duplicates: number;
  readonly lost: number;
}

const SEND_ARGS = (template: string) => [
  "--template",
  template,
  "--data",
  JSON.stringify({
    character_string1: { value: "DOUBLE12" },
    amount2: { value: "¥12.12" },
    time3: { value: "2026-12-12 00:00" },
  }),
  "--query",
  "subscribed=yes",
  "--concurrency",
  args.concurrency!,
  "--batch",
  args.batch!,
];

async function benchOne(kind: string): Promise<Result | null> {
  let url: string;
  try {
    url = await freshDatabase(kind);
  } catch (error) {
    log(`${kind}: skipped (${(error as Error).message})`);
    return null;
  }
  await migrate(url);
  log(`${kind}: the follower sync makes ${number(FOLLOWERS)} people`);
  const sync = await run(cli("prisma/scripts/sync-followers.ts", [], url));
  if (sync.code !== 0) throw new Error(`sync failed:\n${sync.tail}`);
  const db = createDb(url);
  const endpoint = await serveEndpoint(db, url);
  await fetch(`${SIM_URL}/__sim/push/target`, { method: "POST", body: JSON.stringify({ target: endpoint.url }) });
  await fetch(`${SIM_URL}/__sim/template/delivery`, {
    method: "POST",
    body: JSON.stringify({ mode: "after", delayMs: 50 }),
  });
  try {
    const templates = (await (
      await fetch(`${SIM_URL}/cgi-bin/template/get_all_private_template?access_token=${await simToken()}`)
    ).json()) as { template_list: { template_id: string; title: string }[] };
    const template = templates.template_list.find((t) => t.title === "支付成功通知")!.template_id;
    // The mirror of the templates: the CLI checks the data against it.
    await db.messageTemplate.deleteMany();
    for (const t of templates.template_list as unknown as Record<string, string>[])
      await db.messageTemplate.create({
        data: {
          appId: APP_ID,
          templateId: t.template_id!,
          title: t.title!,
          primaryIndustry: t.primary_industry ?? "",
          deputyIndustry: t.deputy_industry ?? "",
          content: t.content ?? "",
          example: t.example ?? "",
          fetchedAt: new Date(),
        },
      });
    const before = await simStats();

    log(`${kind}: send to everyone`);
    const started = Date.now();
    const first = await run(cli("prisma/scripts/send-template.ts", SEND_ARGS(template), url));
    if (first.code !== 0) throw new Error(`send failed:\n${first.tail}`);
    const jobId = /mass send (\S+):/.exec(first.tail)![1]!;
    const sendSeconds = first.seconds;
    const peak = Number(/peak RSS (\d+) MB/.exec(first.tail)?.[1] ?? Math.max(...first.rss));
    const q = (p: number) => first.rss[Math.min(first.rss.length - 1, Math.floor(p * first.rss.length))] ?? 0;
    log(
      `  ${sendSeconds.toFixed(1)} s, ${number(Math.round(FOLLOWERS / sendSeconds))} sends/s, peak RSS ${peak} MB, ` +
        `RSS at 25/50/75/100%: ${[0.25, 0.5, 0.75, 0.999].map(q).join("/")} MB`,
    );
    const deliveredSeconds = await waitDelivered(db, jobId, started);
    const { reports } = await simStats();
    log(
      `  every delivery status applied ${deliveredSeconds.toFixed(1)} s after the start ` +
        `(reports the endpoint did not take: ${reports.failed})`,
    );

    log(`${kind}: a second send, killed at about half, then resumed`);
    const half = Math.floor(FOLLOWERS / 2);
    const killed = await run(cli("prisma/scripts/send-template.ts", SEND_ARGS(template), url), async (tail) => {
      const id = /mass send (\S+):/.exec(tail)?.[1];
      if (!id) return false;
      const written = await db.outboundMessage.count({
        where: { jobId: id, status: { notIn: ["pending", "sending"] } },
      });
      return written >= half;
    });
    const secondJob = /mass send (\S+):/.exec(killed.tail)![1]!;
    const killedAt = await db.outboundMessage.count({
      where: { jobId: secondJob, status: { notIn: ["pending", "sending"] } },
    });
    log(`  killed with ${number(killedAt)} written (exit ${killed.code ?? "SIGKILL"}); resuming with --job`);
    const resumed = await run(cli("prisma/scripts/send-template.ts", ["--job", secondJob], url));
    if (resumed.code !== 0) throw new Error(`resume failed:\n${resumed.tail}`);
    // Every report of the resumed send applied too (nothing is left in flight when the database goes).
    await waitDelivered(db, secondJob, Date.now());
    const after = await simStats();
    const sentNow = after.total - before.total;
    // Everyone must hold exactly two more messages than before (one of each send; the simulator's counts
    // run on across databases, and before this database everyone held the same number).
    const duplicates =
      Math.max(0, after.maxPerOpenid - (before.maxPerOpenid + 2)) + Math.max(0, sentNow - 2 * FOLLOWERS);
    const lost = Math.max(0, 2 * FOLLOWERS - sentNow);
    log(
      `  resumed in ${resumed.seconds.toFixed(1)} s; the simulator counts ${number(sentNow)} messages to ` +
        `${number(after.openids)} openids, at most ${after.maxPerOpenid} each: ${duplicates} duplicates, ${lost} lost`,
    );
    return {
      db: kind,
      sendSeconds,
      sendsPerSecond: Math.round(FOLLOWERS / sendSeconds),
      peakRssMb: peak,
      rssQuartilesMb: [0.25, 0.5, 0.75, 0.999].map(q),
      deliveredPerSecond: Math.round(FOLLOWERS / deliveredSeconds),
      killedAt,
      resumeSeconds: resumed.seconds,
      duplicates,
      lost,
    };
  } finally {
    await endpoint.close();
    await db.$disconnect();
    if (kind === "postgresql") {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${PG_NAME} WITH (FORCE)`).finally(() => client.end());
    }
  }
}

async function simToken(): Promise<string> {
  const query = new URLSearchParams({
    grant_type: "client_credential",
    appid: APP_ID,
    secret: "simsecret0123456789abcdef01234567",
  });
  return ((await (await fetch(`${SIM_URL}/cgi-bin/token?${query}`)).json()) as { access_token: string }).access_token;
}

async function main(): Promise<void> {
  log(`template mass-send bench: ${number(FOLLOWERS)} followers, ${kinds.join(" and ")}`);
  simulator = await startSimulator();
  const configured = await fetch(`${SIM_URL}/__sim/followers/configure`, {
    method: "POST",
    body: JSON.stringify({ count: FOLLOWERS, fixtures: false }),
  });
  if (!configured.ok) throw new Error(`simulator configure: ${configured.status}`);
  await fetch(`${SIM_URL}/__sim/template/quota`, { method: "POST", body: JSON.stringify({ daily: 10 * FOLLOWERS }) });
  const results: Result[] = [];
  for (const kind of kinds) {
    const r = await benchOne(kind);
    if (r) results.push(r);
  }
  const machine = {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    load: os.loadavg().map((l) => l.toFixed(1)),
  };
  log(
    "\n| database | send | sends/s | peak RSS | RSS 25/50/75/100% | delivered/s | killed at | resumed in | duplicates | lost |\n" +
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of results)
    log(
      `| ${r.db} | ${r.sendSeconds.toFixed(1)} s | ${number(r.sendsPerSecond)} | ${r.peakRssMb} MB | ${r.rssQuartilesMb.join("/")} MB | ` +
        `${number(r.deliveredPerSecond)} | ${number(r.killedAt)} | ${r.resumeSeconds.toFixed(1)} s | ${r.duplicates} | ${r.lost} |`,
    );
  log(`machine: ${JSON.stringify(machine)}`);
  await mkdir(path.join(ROOT, "bench/results"), { recursive: true });
  const file = path.join(ROOT, `bench/results/template-send-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  await writeFile(file, JSON.stringify({ followers: FOLLOWERS, results, machine }, null, 2));
  if (results.some((r) => r.duplicates > 0 || r.lost > 0)) process.exitCode = 1;
}

let simulator: Awaited<ReturnType<typeof startSimulator>> | undefined;

main()
  .catch((error: unknown) => {
    log(String(error instanceof Error ? error.stack : error));
    if (simulator) log(`the simulator's last output:\n${simulator.output().slice(-3000)}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
