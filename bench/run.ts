// `npx tsx bench/run.ts [--db sqlite|postgres|both] [--duration 10] [--no-build]`
//   [--concurrency 16] (browsers looping logins) [--connections 10] (autocannon, /api/me and floor)
//   [--rounds 3] (alternating /api/me and floor rounds) [--warmup 2] (seconds, discarded)
//
// Figures, not a timed test: complete logins per second against the simulator, and GET /api/me
// beside the framework's floor (a bare route handler, app/api/bench/floor) in the same server, on
// SQLite and PostgreSQL. Prints Markdown tables and writes bench/results/<timestamp>.json with the
// machine it ran on. Exits 1 if any login or request failed: such figures do not count.
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { LOGIN_BENCH_ENV, loginLoad, silentLogin, type LoginLoadResult } from "./login";
import { meVersusFloor, type LatencyResult } from "./latency";
import {
  ROOT,
  SIM_URL,
  ensureBuild,
  dropPostgres,
  freshPostgres,
  freshSqlite,
  migrate,
  startApp,
  startSimulator,
  stop,
  stopAll,
  APP_PORT_BASE,
} from "./servers";

const { values: args } = parseArgs({
  options: {
    db: { type: "string", default: "both" },
    duration: { type: "string", default: "10" },
    concurrency: { type: "string", default: "16" },
    connections: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    warmup: { type: "string", default: "2" },
    "no-build": { type: "boolean", default: false },
  },
});

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${value}"`);
  return n;
}

const options = {
  duration: positive("duration", args.duration),
  concurrency: Math.round(positive("concurrency", args.concurrency)),
  connections: Math.round(positive("connections", args.connections)),
  rounds: Math.round(positive("rounds", args.rounds)),
  warmup: positive("warmup", args.warmup),
  build: !args["no-build"],
};
type DbName = "sqlite" | "postgres";
// "postgresql" as well: the name DATABASE_URL's scheme and the rest of the project use.
const dbArg = args.db === "postgresql" ? "postgres" : args.db;
const databases: DbName[] =
  dbArg === "both" ? ["sqlite", "postgres"] : dbArg === "sqlite" || dbArg === "postgres" ? [dbArg] : [];
if (databases.length === 0) throw new Error(`--db must be sqlite, postgres (postgresql) or both, got "${args.db}"`);

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
};

/** Other work on the machine skews both targets; the figures record how busy it was. */
function load(): number[] {
  return os.loadavg().map((n) => Math.round(n * 100) / 100);
}

interface DbResult {
  readonly db: DbName;
  /** 1, 5 and 15-minute load averages before and after this database's run */
  readonly loadBefore?: number[];
  readonly loadAfter?: number[];
  readonly logins?: LoginLoadResult;
  readonly latency?: LatencyResult;
  readonly skipped?: string;
}

const log = (line: string) => console.error(`[bench] ${line}`);

async function simulatorUsers(): Promise<string[]> {
  const res = await fetch(`${SIM_URL}/__sim/users`);
  const users = (await res.json()) as Array<{ key: string; snapshot?: boolean }>;
  // Snapshot-page visitors are refused on purpose (lib/auth/login.ts): they cannot complete a login.
  return users.filter((u) => !u.snapshot).map((u) => u.key);
}

/** The simulator records every request; a long run should not grow it without bound. */
async function clearSimulatorRequests(): Promise<void> {
  const res = await fetch(`${SIM_URL}/__sim/clear-requests`, { method: "POST" });
  await res.body?.cancel();
}

async function benchDatabase(db: DbName, port: number, userKeys: string[]): Promise<DbResult> {
  let databaseUrl: string;
  if (db === "sqlite") {
    databaseUrl = await freshSqlite();
  } else {
    const fresh = await freshPostgres();
    if ("skipped" in fresh) {
      log(`postgres: skipped, ${fresh.skipped}`);
      return { db, skipped: fresh.skipped };
    }
    databaseUrl = fresh.url;
  }
  log(`${db}: migrating ${databaseUrl}`);
  await migrate(databaseUrl);

  const loadBefore = load();
  if ((loadBefore[0] ?? 0) > machine.cores) {
    log(`${db}: load average ${loadBefore[0]} on ${machine.cores} cores: other work will skew these figures`);
  }
  const { child, appUrl } = await startApp(port, databaseUrl, [], LOGIN_BENCH_ENV);
  try {
    const floor = await fetch(`${appUrl}/api/bench/floor`);
    await floor.body?.cancel();
    if (floor.status !== 200)
      throw new Error(`/api/bench/floor answered ${floor.status}: is WCUC_BENCH=1 reaching the server?`);

    // A session for /api/me, and a check that the whole chain works before measuring it.
    const session = await silentLogin(appUrl, { userKey: userKeys[0] ?? "zhangsan" });
    const me = await fetch(`${appUrl}/api/me`, { headers: { cookie: `wcuc_session=${session}` } });
    const meBody = (await me.json()) as { user?: { id?: string } };
    if (me.status !== 200 || !meBody.user?.id) throw new Error(`/api/me answered ${me.status} with the fresh session`);

    log(`${db}: logins, ${options.concurrency} browsers, ${options.warmup} s warm-up + ${options.duration} s`);
    await loginLoad(appUrl, child.proc.pid, userKeys, options.concurrency, options.warmup);
    await clearSimulatorRequests();
    const logins = await loginLoad(appUrl, child.proc.pid, userKeys, options.concurrency, options.duration);
    await clearSimulatorRequests();

    log(`${db}: /api/me vs floor, ${options.connections} connections, ${options.rounds} rounds`);
    const latency = await meVersusFloor(appUrl, child.proc.pid, session, {
      connections: options.connections,
      seconds: options.duration,
      rounds: options.rounds,
      warmupSeconds: options.warmup,
    });
    return { db, loadBefore, loadAfter: load(), logins, latency };
  } finally {
    await stop(child);
    if (db === "postgres") await dropPostgres().catch(() => undefined);
  }
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** A complete login's server CPU in bare requests (the floor's, measured in the same server just after). */
function loginPerFloor(r: DbResult): number | undefined {
  const login = r.logins?.serverCpuMsPerLogin;
  const floor = r.latency?.floor.cpuMsPerRequest;
  return login === undefined || floor === undefined || floor === 0 ? undefined : login / floor;
}
const cpu = (ms: number | undefined) => (ms === undefined ? "n/a" : `${fmt(ms, 2)} ms`);

function report(results: readonly DbResult[]): string {
  const lines: string[] = [];
  lines.push(
    `Command: \`${["npx tsx bench/run.ts", ...process.argv.slice(2)].join(" ")}\``,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}. ` +
      `Load generator and servers on the same machine; load average before each run: ` +
      results.map((r) => `${r.db} ${r.loadBefore?.[0] ?? "n/a"}`).join(", ") +
      ".",
    "",
    `Complete silent logins (login → simulator authorize page → callback → session), ${options.concurrency} concurrent browsers, ${options.duration} s:`,
    "",
    "| Database | Logins/s | p50 | p99 | max | Server CPU/login | ÷ floor's CPU/request | Logins | Failures |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of results) {
    if (!r.logins) {
      lines.push(`| ${r.db} | skipped: ${r.skipped ?? "n/a"} | | | | | | | |`);
      continue;
    }
    const l = r.logins;
    const perFloor = loginPerFloor(r);
    lines.push(
      `| ${r.db} | ${fmt(l.perSecond)} | ${fmt(l.p50Ms)} ms | ${fmt(l.p99Ms)} ms | ${fmt(l.maxMs)} ms | ${cpu(l.serverCpuMsPerLogin)} | ${perFloor === undefined ? "n/a" : `**${fmt(perFloor, 2)}x**`} | ${l.completed} | ${l.failures} |`,
    );
  }
  lines.push(
    "",
    `\`GET /api/me\` (session unseal + one prepared statement) beside a bare route handler in the same server, ` +
      `${options.connections} connections, ${options.duration} s each in ${options.rounds} alternating rounds (median of rounds):`,
    "",
    "| Database | Route | p50 | p99 | req/s | Server CPU/request | Failures |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of results) {
    if (!r.latency) continue;
    const { me, floor, ratio } = r.latency;
    for (const [route, s] of [
      ["`/api/me`", me],
      ["floor", floor],
    ] as const) {
      lines.push(
        `| ${r.db} | ${route} | ${fmt(s.p50Ms)} ms | ${fmt(s.p99Ms)} ms | ${fmt(s.reqPerSec, 0)} | ${cpu(s.cpuMsPerRequest)} | ${s.failures} |`,
      );
    }
    const cpuRatio = ratio.cpu === undefined ? "n/a" : `**${fmt(ratio.cpu, 2)}x**`;
    lines.push(
      `| ${r.db} | **me / floor** | **${fmt(ratio.p50, 2)}x** | **${fmt(ratio.p99, 2)}x** | | ${cpuRatio} | |`,
    );
  }
  lines.push(
    "",
    "Server CPU is the app process's user + system time (all threads) divided by the requests served; unlike " +
      "latency it hardly moves when other work shares the machine.",
  );
  return lines.join("\n");
}

async function main(): Promise<number> {
  await ensureBuild(!options.build, log);
  log(`simulator on ${SIM_URL}`);
  const sim = await startSimulator();
  const results: DbResult[] = [];
  try {
    const userKeys = await simulatorUsers();
    for (const [i, db] of databases.entries()) results.push(await benchDatabase(db, APP_PORT_BASE + i, userKeys));
  } finally {
    await stop(sim);
  }

  const table = report(results);
  console.log(`\n${table}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.join(ROOT, "bench", "results", `${stamp}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), machine, options, results }, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, file)}`);

  const failures = results.reduce(
    (n, r) => n + (r.logins?.failures ?? 0) + (r.latency ? r.latency.me.failures + r.latency.floor.failures : 0),
    0,
  );
  for (const r of results) {
    for (const [reason, count] of Object.entries(r.logins?.failureReasons ?? {})) log(`${r.db}: ${count} x ${reason}`);
  }
  if (failures > 0) log(`${failures} failed requests: the figures above do not count`);
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    await stopAll();
    process.exit(1);
  },
);
