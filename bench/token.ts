/**
 * The central token service: how fast a read is, and how few upstream fetches it makes.
 *
 *   BENCH_SLOT=2 npx tsx bench/token.ts                   # SQLite and PostgreSQL, Next build, ~3 min
 *   BENCH_SLOT=2 npx tsx bench/token.ts --no-next --db sqlite --duration 3
 *   BENCH_SLOT=2 npx tsx bench/token.ts --no-build --no-steady       # reads only, reusing the last build
 *
 * 1. Reads in-process: TokenService.accessToken() as a route handler calls it, with the 1 s cache
 *    (the normal path; 64 concurrent callers) and with the cache off (every read is a database read
 *    and an AES-GCM unseal; one caller at a time), p50/p99/max.
 * 2. Reads over HTTP: a worker process (test/support/token/worker.ts: plain node:http + the service)
 *    and, unless --no-next, `next start` serving GET /api/internal/wechat/access-token; autocannon.
 * 3. 24 simulated hours of steady load against the simulator (its clock frozen and moved in 30 s steps):
 *    four instances of our service on one database (classic and stable) versus four naive clients that
 *    fetch whenever they see no valid token (their own expiry passed, or WeChat answered 40001), on the
 *    same simulator. Upstream fetches are counted; every token handed out is checked at the simulator.
 */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../lib/generated/sqlite/client";
import { PrismaClient as PostgresClient } from "../lib/generated/postgres/client";
import type { Db } from "../lib/db";
import { parseEnv } from "../lib/env";
import { createTokenService, type TokenService } from "../lib/token/service";
import { clearTokenTables } from "../lib/token/store";
import { startWorker } from "../test/support/token/workers";
import { databaseUrl, migrateDeploy, probePostgres, withAdmin } from "../test/support/migrate";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../simulator/server";
import { APP_PORT_BASE, ROOT, ensureBuild, startApp, stop, stopAll } from "./servers";
import { percentile } from "./stats";

const { values: args } = parseArgs({
  options: {
    db: { type: "string", default: "both" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    "no-next": { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    "no-steady": { type: "boolean", default: false },
  },
});
const DURATION_S = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const SLOT = Number(process.env.BENCH_SLOT ?? "0");
const PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres";
const PG_NAME = `wcuc_bench_token${SLOT || ""}`;
const START = Date.UTC(2026, 0, 15, 0, 0, 0);
const log = (line: string) => console.log(`[bench:token] ${line}`);
process.env.WCUC_LOG ??= "silent";

/** lib/db/client.ts's createDb, which is server-only (this script runs outside Next.js). */
function createDb(url: string): Db {
  if (url.startsWith("file:")) return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url, timeout: 10_000 }) });
  return new PostgresClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) }) as unknown as Db;
}

interface Quantiles {
  n: number;
  p50: number;
  p99: number;
  max: number;
}
const ms = (v: number) => Math.round(v * 1000) / 1000;
function quantiles(samples: number[]): Quantiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: ms(percentile(sorted, 50)),
    p99: ms(percentile(sorted, 99)),
    max: ms(sorted.at(-1) ?? 0),
  };
}

async function prepareDatabases(): Promise<{ kind: "sqlite" | "postgresql"; url: string }[]> {
  const out: { kind: "sqlite" | "postgresql"; url: string }[] = [];
  if (args.db === "sqlite" || args.db === "both") {
    await mkdir(path.join(ROOT, "data"), { recursive: true });
    const file = path.join(ROOT, `data/bench-token${SLOT || ""}-${randomBytes(3).toString("hex")}.db`);
    await migrateDeploy(`file:${file}`);
    out.push({ kind: "sqlite", url: `file:${file}` });
  }
  if (args.db === "postgresql" || args.db === "both") {
    const reason = await probePostgres(PG_ADMIN);
    if (reason) log(`PostgreSQL skipped: ${reason}`);
    else {
      await withAdmin(PG_ADMIN, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${PG_NAME}" WITH (FORCE)`);
        await c.query(`CREATE DATABASE "${PG_NAME}"`);
      });
      const url = databaseUrl(PG_ADMIN, PG_NAME);
      await migrateDeploy(url);
      out.push({ kind: "postgresql", url });
    }
  }
  return out;
}

function service(
  db: Db,
  url: string,
  sim: Simulator,
  api: "stable" | "classic",
  extra: Parameters<typeof createTokenService>[2] = {},
): TokenService {
  const env = parseEnv(
    { DATABASE_URL: url, WECHAT_API_BASE: sim.url, WECHAT_API_BACKUP_BASE: sim.backupUrl, WECHAT_TOKEN_API: api },
    false,
  );
  return createTokenService(env, db, extra);
}

/** Reads for DURATION_S seconds in batches of `concurrency` concurrent calls; every call timed. */
async function readLatency(s: TokenService, concurrency: number): Promise<Quantiles> {
  await s.accessToken();
  const samples: number[] = [];
  const until = performance.now() + DURATION_S * 1000;
  while (performance.now() < until) {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const t0 = performance.now();
        await s.accessToken();
        samples.push(performance.now() - t0);
      }),
    );
  }
  return quantiles(samples);
}

async function httpLatency(url: string, headers: Record<string, string> = {}) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** One frozen clock for the simulator and every instance. */
function simClock(sim: Simulator) {
  return {
    now: () => new Date(sim.now()),
    advance: (seconds: number) => sim.advance(seconds),
  };
}

const TOKEN_PATHS = new Set(["/cgi-bin/token", "/cgi-bin/stable_token"]);
const STEP_S = 30;
const DAY_S = 24 * 3600;

async function steadyOurs(db: Db, url: string, sim: Simulator, api: "stable" | "classic") {
  sim.reset();
  await clearTokenTables(db);
  const clock = simClock(sim);
  const instances = ["i1", "i2", "i3", "i4"].map((instance) =>
    service(db, url, sim, api, {
      now: clock.now,
      instance,
      sleep: (m) => new Promise((r) => setTimeout(r, Math.min(m, 5))),
      http: { timeoutMs: 5000, retries: 2, sleep: async () => {} },
    }),
  );
  let reads = 0;
  let refused = 0;
  for (let t = 0; t < DAY_S; t += STEP_S) {
    for (const s of instances) {
      // The refresher ticks every ~15 s; once per 30 s step is the coarser, harder case.
      await s.tick();
      for (let r = 0; r < 2; r++) {
        const token = await s.accessToken();
        reads++;
        if (sim.basicTokens.check(token.value) !== null) {
          refused++;
          await s.reportInvalid("access_token", token.value);
        }
      }
    }
    clock.advance(STEP_S);
  }
  const fetches = sim.requests().filter((r) => TOKEN_PATHS.has(r.path)).length;
  return { api, fetches, reads, refusedReads: refused };
}

/** What most SDKs do: a token per process, fetched when it is missing, past its own expiry, or refused. */
async function steadyNaive(sim: Simulator) {
  sim.reset();
  const clock = simClock(sim);
  const clients = Array.from({ length: 4 }, () => ({ token: "", expiresAt: 0 }));
  const fetchToken = async (c: { token: string; expiresAt: number }) => {
    const q = new URLSearchParams({
      grant_type: "client_credential",
      appid: SIM_DEFAULTS.appId,
      secret: SIM_DEFAULTS.appSecret,
    });
    const body = (await (await fetch(`${sim.url}/cgi-bin/token?${q}`)).json()) as {
      access_token?: string;
      expires_in?: number;
    };
    c.token = body.access_token ?? "";
    c.expiresAt = clock.now().getTime() + (body.expires_in ?? 0) * 1000;
  };
  let reads = 0;
  let refused = 0;
  for (let t = 0; t < DAY_S; t += STEP_S) {
    for (const c of clients) {
      for (let r = 0; r < 2; r++) {
        if (!c.token || clock.now().getTime() >= c.expiresAt) await fetchToken(c);
        reads++;
        if (sim.basicTokens.check(c.token) !== null) {
          refused++;
          await fetchToken(c);
        }
      }
    }
    clock.advance(STEP_S);
  }
  return {
    api: "classic (naive)",
    fetches: sim.requests().filter((r) => r.path === "/cgi-bin/token").length,
    reads,
    refusedReads: refused,
  };
}

async function main() {
  const machine = {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
  log(`machine: ${JSON.stringify(machine)}`);
  const databases = await prepareDatabases();
  const results: Record<string, unknown> = { machine, date: new Date().toISOString(), durationSeconds: DURATION_S };

  // 1 and 2: reads, real clock.
  const live = await startSimulator();
  const reads: Record<string, unknown> = {};
  for (const { kind, url } of databases) {
    const db = createDb(url);
    await clearTokenTables(db);
    const cached = await readLatency(service(db, url, live, "stable"), 64);
    // One at a time: concurrent uncached reads would share one database read (single flight).
    const uncached = await readLatency(service(db, url, live, "stable", { cacheMs: 0 }), 1);
    log(
      `${kind} in-process read: cached p50 ${cached.p50} ms p99 ${cached.p99} ms (n=${cached.n}); database every read p50 ${uncached.p50} ms p99 ${uncached.p99} ms`,
    );
    const worker = await startWorker(`bench-${kind}`, {
      DATABASE_URL: url,
      WECHAT_API_BASE: live.url,
      WECHAT_API_BACKUP_BASE: live.backupUrl,
      WECHAT_TOKEN_API: "stable",
    });
    const overWorker = await httpLatency(`${worker.url}/token`);
    await worker.kill();
    log(
      `${kind} HTTP (node:http worker): ${overWorker.requestsPerSecond} req/s, p50 ${overWorker.p50} ms, p99 ${overWorker.p99} ms`,
    );
    reads[kind] = { inProcessCached: cached, inProcessDatabase: uncached, httpWorker: overWorker };
    await db.$disconnect();
  }

  if (!args["no-next"] && databases.length > 0) {
    await ensureBuild(args["no-build"], log);
    for (const [i, { kind, url }] of databases.entries()) {
      // The in-process runs sealed their values with the development key; next start has its own.
      const cleanup = createDb(url);
      await clearTokenTables(cleanup);
      await cleanup.$disconnect();
      const secret = randomBytes(32).toString("base64url");
      const port = APP_PORT_BASE + 5 + i;
      const { child, appUrl } = await startApp(port, url, [], {
        INTERNAL_API_SECRET: secret,
        WECHAT_API_BASE: live.url,
        WECHAT_API_BACKUP_BASE: live.backupUrl,
      });
      const target = `${appUrl}/api/internal/wechat/access-token`;
      const headers = { authorization: `Bearer ${secret}` };
      const first = await fetch(target, { headers });
      if (!first.ok) throw new Error(`${target}: ${first.status} ${await first.text()}`);
      // The framework's floor in the same server: a bare route handler (served when WCUC_BENCH=1).
      const floor = await httpLatency(`${appUrl}/api/bench/floor`);
      const overNext = await httpLatency(target, headers);
      log(
        `${kind} HTTP (next start, internal API): ${overNext.requestsPerSecond} req/s, p50 ${overNext.p50} ms, p99 ${overNext.p99} ms`,
      );
      log(
        `${kind} HTTP (next start, floor route): ${floor.requestsPerSecond} req/s, p50 ${floor.p50} ms, p99 ${floor.p99} ms`,
      );
      Object.assign(reads[kind] as Record<string, unknown>, { httpNext: overNext, httpNextFloor: floor });
      await stop(child);
    }
  }
  await live.close();
  results.reads = reads;

  // 3: 24 simulated hours.
  if (args["no-steady"]) return finish(results, databases);
  const frozen = await startSimulator({ startTime: START });
  const steady: Record<string, unknown> = {};
  const first = databases[0];
  if (first) {
    const db = createDb(first.url);
    for (const api of ["classic", "stable"] as const) {
      const t0 = performance.now();
      const ours = await steadyOurs(db, first.url, frozen, api);
      log(
        `24 h, ours (${api}, 4 instances, ${first.kind}): ${ours.fetches} upstream fetches, ${ours.refusedReads} of ${ours.reads} reads refused (${Math.round((performance.now() - t0) / 1000)} s)`,
      );
      steady[`ours_${api}`] = ours;
    }
    await db.$disconnect();
  }
  const naive = await steadyNaive(frozen);
  log(
    `24 h, naive (classic, 4 instances): ${naive.fetches} upstream fetches, ${naive.refusedReads} of ${naive.reads} reads refused`,
  );
  steady.naive = naive;
  const oursClassic = steady.ours_classic as { fetches: number } | undefined;
  if (oursClassic) {
    const ratio = Math.round((naive.fetches / oursClassic.fetches) * 10) / 10;
    log(`naive / ours (classic): ${ratio}x the upstream fetches (floor: 12 a day)`);
    steady.ratio = ratio;
  }
  await frozen.close();
  results.steady = steady;
  await finish(results, databases);
}

async function finish(results: Record<string, unknown>, databases: { kind: string; url: string }[]): Promise<void> {
  const out = path.join(ROOT, "bench/results", `token-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(results, null, 2));
  log(`results: ${path.relative(ROOT, out)}`);
  for (const { kind, url } of databases) {
    if (kind !== "sqlite") continue;
    const file = url.replace(/^file:/, "");
    await Promise.all(["", "-wal", "-shm"].map((ext) => rm(file + ext, { force: true })));
  }
  if (databases.some((d) => d.kind === "postgresql")) {
    await withAdmin(PG_ADMIN, (c) => c.query(`DROP DATABASE IF EXISTS "${PG_NAME}" WITH (FORCE)`));
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
