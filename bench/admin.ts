// `npx tsx bench/admin.ts [--db sqlite|postgres|both] [--users 1000000] [--duration 10] [--connections 4]`
//   [--warmup 2] (seconds per target, discarded) [--no-build] [--reuse] (keep an already seeded database)
//   [--keep] (leave the seeded databases in place at the end, for a later --reuse)
//   [--only first,search,...] (targets by key: floor, auth, shell, first, deep, search, dashboard;
//   default all; the floor always runs)
//   [--profile] (run next start under --cpu-prof and print where each target's server CPU goes; the
//   profiler slows the server down, so latencies of a --profile run are not figures to report)
//
// The admin console over HTTP against `next start`, at N seeded users, on SQLite and PostgreSQL: the
// floor (a bare route handler, app/api/bench/floor), the session check alone (whoami), the user list as
// the browser gets it: its static shell /admin/users (the same HTML for every view), then its data from
// GET /api/admin/users for the first page, a page deep in the cursor (the row at OFFSET N/2 in the
// default order) and a common nickname search; and the dashboard /admin (warmed with one request first:
// it is cached for 60 s in-process). "First view" of the list is reported as shell + data: the browser
// asks the data only once the shell's script runs, so the two add up (whoami and the tags are asked at
// the same time as the list and cost less, so they do not lengthen it).
// Each target runs back to back in the same server with the same connections (autocannon, keep-alive);
// every response's latency is recorded, so p50/p95/p99 are exact nearest-rank percentiles (bench/stats.ts),
// not autocannon's histogram buckets (which have p97.5, not p95). Prints Markdown tables and writes
// bench/results/admin-<timestamp>.json with the machine. Exits 1 if any response was not a 200.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { encode } from "next-auth/jwt";
import pg from "pg";
import {
  STAFF_SESSION_COOKIE,
  STAFF_SESSION_MAX_AGE,
  newSessionClaims,
  passwordVersion,
} from "../lib/admin/session-token";
import { encodeCursor } from "../lib/admin/user-query";
import {
  APP_PORT_BASE,
  POSTGRES_ADMIN_URL,
  ROOT,
  appEnv,
  ensureBuild,
  migrate,
  processCpuMs,
  startApp,
  startSimulator,
  stop,
  stopAll,
} from "./servers";
import { percentile } from "./stats";
import { nowMicros, profileReport } from "./profile";

const { values: args } = parseArgs({
  options: {
    db: { type: "string", default: "both" },
    users: { type: "string", default: "1000000" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "4" },
    warmup: { type: "string", default: "2" },
    "no-build": { type: "boolean", default: false },
    reuse: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
  },
});

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${value}"`);
  return n;
}

const options = {
  users: Math.round(positive("users", args.users)),
  duration: positive("duration", args.duration),
  connections: Math.round(positive("connections", args.connections)),
  warmup: positive("warmup", args.warmup),
  build: !args["no-build"],
  reuse: args.reuse,
  keep: args.keep,
  only: args.only ? new Set(args.only.split(",").map((t) => t.trim())) : undefined,
  profile: args.profile,
};
type DbName = "sqlite" | "postgres";
const databases: DbName[] =
  args.db === "both" ? ["sqlite", "postgres"] : args.db === "sqlite" || args.db === "postgres" ? [args.db] : [];
if (databases.length === 0) throw new Error(`--db must be sqlite, postgres or both, got "${args.db}"`);

const SQLITE_FILE = "data/bench-admin.db";
const SQLITE_URL = `file:./${SQLITE_FILE}`;
const PG_DB = "wcuc_bench_admin";
const PG_URL = `postgresql://postgres@127.0.0.1:5432/${PG_DB}`;
const STAFF_EMAIL = "bench-admin@example.com";
/** Only ever in this database, which the run deletes; a fresh one each run anyway. */
const STAFF_PASSWORD = `bench-${createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 24)}`;
/** A nickname substring the seed makes common (prisma/scripts/seed.ts: "快乐每一天", about 0.75% of users). */
const SEARCH = "快乐";

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  node: process.version,
};

const log = (line: string) => console.error(`[bench:admin] ${line}`);
const load = () => os.loadavg().map((n) => Math.round(n * 100) / 100);

// ------------------------------------------------------------------------------------------ child steps

/** An npm script with DATABASE_URL; output shown as it comes (seeding prints progress). */
function npm(script: string, scriptArgs: string[], databaseUrl: string, extraEnv: Record<string, string> = {}) {
  return new Promise<void>((resolve, reject) => {
    const env: Record<string, string> = { DATABASE_URL: databaseUrl, ...extraEnv };
    for (const key of ["PATH", "HOME", "TMPDIR", "LANG", "npm_config_cache"]) {
      const value = process.env[key];
      if (value) env[key] = value;
    }
    const child = spawn("npm", ["run", "--silent", script, "--", ...scriptArgs], {
      cwd: ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`npm run ${script} failed (${code ?? signal})`)),
    );
  });
}

// ------------------------------------------------------------------------------------ database helpers

/** Runs one query on the bench database with the driver (no Prisma, no app env). */
async function query<T>(db: DbName, sql: { sqlite: string; postgres: string }, params: unknown[] = []): Promise<T[]> {
  if (db === "sqlite") {
    const sqlite = new Database(path.join(ROOT, SQLITE_FILE), { readonly: true, fileMustExist: true });
    try {
      return sqlite.prepare(sql.sqlite).all(...params) as T[];
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query(sql.postgres, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function userCount(db: DbName): Promise<number> {
  try {
    const [row] = await query<{ n: number | string }>(db, {
      sqlite: `SELECT count(*) AS n FROM "User"`,
      postgres: `SELECT count(*) AS n FROM "User"`,
    });
    return Number(row?.n ?? 0);
  } catch {
    return 0; // no file, no database or no table yet
  }
}

async function pgAdmin(statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

async function removeSqlite(): Promise<void> {
  await Promise.all(
    ["", "-wal", "-shm", "-journal"].map((suffix) => rm(path.join(ROOT, SQLITE_FILE + suffix), { force: true })),
  );
}

/** A migrated database with at least `options.users` users; seeded only when needed (or not --reuse). */
async function prepareDatabase(db: DbName): Promise<{ url: string; seeded: boolean; users: number }> {
  const url = db === "sqlite" ? SQLITE_URL : PG_URL;
  const existing = options.reuse ? await userCount(db) : 0;
  if (options.reuse && existing >= options.users) {
    log(`${db}: reusing ${existing.toLocaleString("en")} users in ${url}`);
    await migrate(url);
    return { url, seeded: false, users: existing };
  }
  if (db === "sqlite") {
    await mkdir(path.join(ROOT, "data"), { recursive: true });
    await removeSqlite();
  } else {
    await pgAdmin([`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`, `CREATE DATABASE ${PG_DB}`]);
  }
  log(`${db}: migrating ${url}`);
  await migrate(url);
  log(`${db}: seeding ${options.users.toLocaleString("en")} users`);
  const started = performance.now();
  await npm("db:seed", ["--users", String(options.users), "--reset"], url);
  log(`${db}: seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { url, seeded: true, users: await userCount(db) };
}

async function dropDatabase(db: DbName): Promise<void> {
  if (db === "sqlite") await removeSqlite();
  else await pgAdmin([`DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`]);
}

/** The row at OFFSET n/2 in the list's default order (createdAt DESC, id DESC), as the list encodes it. */
async function deepCursor(db: DbName, users: number): Promise<{ cursor: string; offset: number }> {
  const offset = Math.floor(Math.min(users, options.users) / 2);
  const [row] = await query<{ id: string; at: string }>(
    db,
    {
      sqlite: `SELECT id, "createdAt" AS at FROM "User" ORDER BY "createdAt" DESC, id DESC LIMIT 1 OFFSET ?`,
      // timestamp(3) without time zone holds UTC; to_char keeps the driver from reading it as local time.
      postgres: `SELECT id, to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM "User"
                 ORDER BY "createdAt" DESC, id DESC LIMIT 1 OFFSET $1`,
    },
    [offset],
  );
  if (!row) throw new Error(`${db}: no user at offset ${offset}`);
  return { cursor: encodeCursor({ value: new Date(row.at), id: row.id }), offset };
}

// ------------------------------------------------------------------------------------------ staff cookie

/** Creates (or updates) the bench admin with admin:create and mints its session cookie as tests do. */
async function staffCookie(db: DbName, databaseUrl: string, authSecret: string): Promise<string> {
  await npm("admin:create", ["--email", STAFF_EMAIL, "--role", "admin", "--update"], databaseUrl, {
    ADMIN_PASSWORD: STAFF_PASSWORD,
  });
  const [staff] = await query<{ id: string; email: string; role: string; passwordHash: string }>(
    db,
    {
      sqlite: `SELECT id, email, role, "passwordHash" FROM "Staff" WHERE email = ?`,
      postgres: `SELECT id, email, role, "passwordHash" FROM "Staff" WHERE email = $1`,
    },
    [STAFF_EMAIL],
  );
  if (!staff) throw new Error(`${db}: admin:create left no Staff row for ${STAFF_EMAIL}`);
  const token = await encode({
    // A session id and sign-in time, as a real sign-in gives it (the guard refuses a token without them).
    token: {
      sub: staff.id,
      email: staff.email,
      role: staff.role,
      pwv: passwordVersion(staff.passwordHash),
      ...newSessionClaims(),
    },
    secret: authSecret,
    salt: STAFF_SESSION_COOKIE,
    maxAge: STAFF_SESSION_MAX_AGE,
  });
  return `${STAFF_SESSION_COOKIE}=${token}`;
}

// ------------------------------------------------------------------------------------------- measuring

interface Stats {
  readonly target: string;
  readonly path: string;
  /** monotonic µs (the CPU profile's clock) of the measured window */
  readonly window: { readonly from: number; readonly to: number };
  readonly requests: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** bytes per response, headers included */
  readonly bytesPerResponse: number;
  /** non-200 answers, connection errors and timeouts: must be 0 */
  readonly failures: number;
  readonly statuses: Record<string, number>;
  /** the server process's CPU time (user + system) per request; undefined off Linux */
  readonly cpuMsPerRequest: number | undefined;
}

/** `seconds` of load on one URL; every response's latency kept (ms, from autocannon's hrtime). */
function cannon(
  url: string,
  cookie: string,
  seconds: number,
): Promise<{ latencies: number[]; statuses: Record<string, number>; bytes: number; errors: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let bytes = 0;
    const instance = autocannon(
      { url, connections: options.connections, duration: seconds, headers: { cookie }, timeout: 30 },
      (err, result) => {
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve({ latencies, statuses, bytes, errors: result.errors + result.timeouts, seconds: result.duration });
      },
    );
    instance.on("response", (_client, statusCode, resBytes, responseTime) => {
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      bytes += resBytes;
    });
  });
}

async function measure(
  appUrl: string,
  pid: number | undefined,
  cookie: string,
  target: string,
  urlPath: string,
): Promise<Stats> {
  await cannon(appUrl + urlPath, cookie, options.warmup);
  const cpuBefore = processCpuMs(pid);
  const from = nowMicros();
  const r = await cannon(appUrl + urlPath, cookie, options.duration);
  const to = nowMicros();
  const cpuAfter = processCpuMs(pid);
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const requests = sorted.length;
  const non200 = Object.entries(r.statuses).reduce((n, [code, count]) => n + (code === "200" ? 0 : count), 0);
  return {
    target,
    path: urlPath,
    window: { from, to },
    requests,
    reqPerSec: requests / r.seconds,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
    meanMs: requests ? sorted.reduce((s, n) => s + n, 0) / requests : 0,
    bytesPerResponse: requests ? r.bytes / requests : 0,
    failures: non200 + r.errors,
    statuses: r.statuses,
    cpuMsPerRequest:
      cpuBefore === undefined || cpuAfter === undefined || requests === 0
        ? undefined
        : (cpuAfter - cpuBefore) / requests,
  };
}

/** One request that must answer 200; the JSON ones are checked for rows too. */
async function check(appUrl: string, cookie: string, urlPath: string): Promise<string> {
  const res = await fetch(appUrl + urlPath, { headers: { cookie }, redirect: "manual" });
  const body = await res.text();
  if (res.status !== 200)
    throw new Error(`${urlPath} answered ${res.status} ${res.headers.get("location") ?? ""}: ${body.slice(0, 300)}`);
  return body;
}

interface DbResult {
  readonly db: DbName;
  readonly users?: number;
  readonly seeded?: boolean;
  readonly deepOffset?: number;
  readonly searchMatchesOnFirstPage?: number;
  /** the one request that warmed the dashboard (computing its figures), ms */
  readonly dashboardColdMs?: number;
  readonly loadBefore?: number[];
  readonly loadAfter?: number[];
  readonly targets?: readonly Stats[];
  readonly ratios?: Record<string, { p50: number; p95: number; p99: number; cpu: number | undefined }>;
  readonly skipped?: string;
}

async function benchDatabase(db: DbName, port: number): Promise<DbResult> {
  if (db === "postgres") {
    try {
      await pgAdmin(["SELECT 1"]);
    } catch (err) {
      const skipped = `PostgreSQL unreachable at ${POSTGRES_ADMIN_URL} (${(err as Error).message})`;
      log(`postgres: skipped, ${skipped}`);
      return { db, skipped };
    }
  }
  const prepared = await prepareDatabase(db);
  const { cursor, offset } = await deepCursor(db, prepared.users);
  const authSecret = appEnv("", port, prepared.url).AUTH_SECRET;
  if (!authSecret) throw new Error("appEnv has no AUTH_SECRET");
  const cookie = await staffCookie(db, prepared.url, authSecret);

  const loadBefore = load();
  if ((loadBefore[0] ?? 0) > machine.cores)
    log(`${db}: load average ${loadBefore[0]} on ${machine.cores} cores: other work will skew these figures`);
  const profileDir = options.profile ? await mkdtemp(path.join(os.tmpdir(), "wcuc-admin-profile-")) : undefined;
  const { child, appUrl } = await startApp(
    port,
    prepared.url,
    profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
  );
  let result: DbResult;
  try {
    const pid = child.proc.pid;
    const data = "/api/admin/users";
    const allTargets: Array<[key: string, target: string, path: string]> = [
      ["floor", "floor", "/api/bench/floor"],
      // What every console request pays before its own work: the proxy's and the guard's session check
      // and the Staff row, as a tiny JSON answer.
      ["auth", "auth only (GET /api/admin/whoami)", "/api/admin/whoami"],
      // The list page's HTML: static, the same bytes for every view (the proxy's cookie check included).
      ["shell", "list shell (static HTML)", "/admin/users"],
      ["first", "list data, first page", data],
      ["deep", `list data, deep cursor (row ${offset.toLocaleString("en")})`, `${data}?after=${cursor}`],
      ["search", `list data, search "${SEARCH}"`, `${data}?q=${encodeURIComponent(SEARCH)}`],
      // Last, and warmed right before: its figures are cached 60 s in-process (stale ones served while a
      // new set is computed), so no recomputation lands in another target's window, nor in its own while
      // warm-up + duration stay under 60 s.
      ["dashboard", "dashboard (warm)", "/admin"],
    ];
    // The floor always runs: the ratios are to it.
    const targets = allTargets.filter(([key]) => key === "floor" || !options.only || options.only.has(key));
    // Every target answers 200 with this cookie before anything is timed; the pages of data are not empty.
    for (const [, , urlPath] of allTargets.slice(0, -1)) await check(appUrl, cookie, urlPath);
    const shell = await check(appUrl, cookie, "/admin/users");
    if (!shell.includes('data-testid="user-list-loading"') || shell.includes('data-testid="user-row"'))
      throw new Error("/admin/users is not the static shell (no loading state, or rows in its HTML)");
    const first = JSON.parse(await check(appUrl, cookie, data)) as { users: unknown[] };
    const deep = JSON.parse(await check(appUrl, cookie, `${data}?after=${cursor}`)) as { users: unknown[] };
    const found = JSON.parse(await check(appUrl, cookie, `${data}?q=${encodeURIComponent(SEARCH)}`)) as {
      users: unknown[];
    };
    if (first.users.length === 0 || deep.users.length === 0 || found.users.length === 0)
      throw new Error(
        `empty page: first ${first.users.length}, deep ${deep.users.length}, search ${found.users.length}`,
      );

    const results: Stats[] = [];
    let dashboardColdMs: number | undefined;
    for (const [, target, urlPath] of targets) {
      if (urlPath === "/admin") {
        const started = performance.now();
        await check(appUrl, cookie, urlPath);
        dashboardColdMs = performance.now() - started;
        log(
          `${db}: dashboard warmed with one request (${fmt(dashboardColdMs, 0)} ms, computes and caches its figures)`,
        );
      }
      log(`${db}: ${target}: ${options.warmup} s warm-up + ${options.duration} s, ${options.connections} connections`);
      results.push(await measure(appUrl, pid, cookie, target, urlPath));
    }
    const floor = results.find((s) => s.path === "/api/bench/floor")!;
    const ratio = (s: Pick<Stats, "p50Ms" | "p95Ms" | "p99Ms" | "cpuMsPerRequest">) => ({
      p50: s.p50Ms / floor.p50Ms,
      p95: s.p95Ms / floor.p95Ms,
      p99: s.p99Ms / floor.p99Ms,
      cpu:
        s.cpuMsPerRequest !== undefined && floor.cpuMsPerRequest
          ? s.cpuMsPerRequest / floor.cpuMsPerRequest
          : undefined,
    });
    const ratios: NonNullable<DbResult["ratios"]> = {};
    for (const s of results) if (s !== floor) ratios[`${s.target} / floor`] = ratio(s);
    // First view = shell + first page's data, percentile by percentile (a sum of two p95s is above the p95
    // of the sums: the pessimistic side). CPU likewise adds up.
    const shellStats = results.find((s) => s.path === "/admin/users");
    const firstStats = results.find((s) => s.path === data);
    if (shellStats && firstStats) {
      const firstView = {
        p50Ms: shellStats.p50Ms + firstStats.p50Ms,
        p95Ms: shellStats.p95Ms + firstStats.p95Ms,
        p99Ms: shellStats.p99Ms + firstStats.p99Ms,
        cpuMsPerRequest:
          shellStats.cpuMsPerRequest === undefined || firstStats.cpuMsPerRequest === undefined
            ? undefined
            : shellStats.cpuMsPerRequest + firstStats.cpuMsPerRequest,
      };
      ratios["first view (shell + first page's data) / floor"] = ratio(firstView);
    }
    result = {
      db,
      users: prepared.users,
      seeded: prepared.seeded,
      deepOffset: offset,
      searchMatchesOnFirstPage: found.users.length,
      loadBefore,
      loadAfter: load(),
      targets: results,
      dashboardColdMs,
      ratios,
    };
  } finally {
    await stop(child); // SIGTERM: with --cpu-prof, node writes the profile on exit
  }
  if (profileDir) {
    const windows = (result.targets ?? []).map((t) => ({ label: t.target, count: t.requests, ...t.window }));
    console.log(await profileReport(db, profileDir, windows));
  }
  return result;
}

/** Server CPU per request of each target, by component and by hottest function (from --cpu-prof). */

// ---------------------------------------------------------------------------------------------- report

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const ms = (n: number) => `${fmt(n)} ms`;
const cpu = (n: number | undefined) => (n === undefined ? "n/a" : `${fmt(n, 2)} ms`);
const kb = (n: number) => `${fmt(n / 1024)} KB`;

function report(results: readonly DbResult[]): string {
  const lines: string[] = [
    `Command: \`${["npx tsx bench/admin.ts", ...process.argv.slice(2)].join(" ")}\``,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}. ` +
      `Load generator and servers on the same machine; load average before each run: ` +
      results.map((r) => `${r.db} ${r.loadBefore?.[0] ?? "n/a"}`).join(", ") +
      ".",
    "",
    `autocannon, ${options.connections} keep-alive connections, ${options.warmup} s warm-up (discarded) + ${options.duration} s per ` +
      `target, targets back to back in one \`next start\`; exact nearest-rank percentiles over every response. ` +
      `The dashboard was requested once before timing (cached 60 s in-process); that first request took ` +
      results.map((r) => `${r.db} ${r.dashboardColdMs === undefined ? "n/a" : ms(r.dashboardColdMs)}`).join(", ") +
      ".",
    "",
    "| Database | Users | Target | p50 | p95 | p99 | req/s | Size | Server CPU/request | Failures |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of results) {
    if (!r.targets) {
      lines.push(`| ${r.db} | | skipped: ${r.skipped ?? "n/a"} | | | | | | | |`);
      continue;
    }
    for (const s of r.targets) {
      lines.push(
        `| ${r.db} | ${(r.users ?? 0).toLocaleString("en")} | ${s.target} | ${ms(s.p50Ms)} | ${ms(s.p95Ms)} | ${ms(s.p99Ms)} | ${fmt(s.reqPerSec, 0)} | ${kb(s.bytesPerResponse)} | ${cpu(s.cpuMsPerRequest)} | ${s.failures} |`,
      );
    }
  }
  lines.push("", "| Database | Ratio | p50 | p95 | p99 | Server CPU |", "| --- | --- | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    for (const [name, x] of Object.entries(r.ratios ?? {})) {
      lines.push(
        `| ${r.db} | ${name} | ${fmt(x.p50, 2)}x | ${fmt(x.p95, 2)}x | ${fmt(x.p99, 2)}x | ${x.cpu === undefined ? "n/a" : `${fmt(x.cpu, 2)}x`} |`,
      );
    }
  }
  lines.push(
    "",
    "Targets: each p95 under 100 ms; the list page within 3x of the floor. The list page is a static shell " +
      "plus its data: each is a target above, and the first view adds the two, percentile by percentile. " +
      "Size is bytes per response (headers included); server CPU is the app process's user + system time " +
      "divided by the requests served.",
  );
  return lines.join("\n");
}

// ------------------------------------------------------------------------------------------------ main

async function main(): Promise<number> {
  await ensureBuild(!options.build, log);
  const sim = await startSimulator();
  const results: DbResult[] = [];
  try {
    for (const [i, db] of databases.entries()) {
      try {
        results.push(await benchDatabase(db, APP_PORT_BASE + 7 + i));
      } finally {
        if (!options.keep) await dropDatabase(db).catch((err: unknown) => log(`${db}: cleanup failed: ${String(err)}`));
      }
    }
  } finally {
    await stop(sim);
  }

  const table = report(results);
  console.log(`\n${table}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.join(ROOT, "bench", "results", `admin-${stamp}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), machine, options, results }, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, file)}`);

  const failures = results.reduce((n, r) => n + (r.targets ?? []).reduce((m, s) => m + s.failures, 0), 0);
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
