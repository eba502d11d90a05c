// The processes a benchmark run needs: one production build, the simulator, `next start` on a fresh
// migrated database. Every child gets its own process group so that shutting down also reaches what
// it spawned (npx, tsx), and nothing outlives the run, on success, error or Ctrl-C alike.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import pg from "pg";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// BENCH_SLOT=n (1..9) moves the build folder and the ports (+10n) so that two benchmarks can run side
// by side (their figures then disturb each other: report only figures from a quiet machine).
const SLOT = Number(process.env.BENCH_SLOT ?? "0");
if (!Number.isInteger(SLOT) || SLOT < 0 || SLOT > 9) throw new Error("BENCH_SLOT must be an integer 0..9");
/** Own build folder, so a benchmark never fights `next dev` or the e2e build over `.next`. */
export const DIST_DIR = SLOT === 0 ? ".next-bench" : `.next-bench-${SLOT}`;
/** The first app port of this slot; scripts use APP_PORT_BASE + i. */
export const APP_PORT_BASE = 3200 + SLOT * 10;
export const SIM_PORT = 4200 + SLOT * 10;
export const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
/** The simulator's default app (simulator/README.md). */
const APP_ID = "wx5e1f0c0de0000001";
const APP_SECRET = "simsecret0123456789abcdef01234567";

type Env = Record<string, string>;

/** Only what a child needs from our environment; the rest is set explicitly. */
function baseEnv(): Env {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "npm_config_cache"];
  const env: Env = { NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };
  for (const key of keep) {
    const value = process.env[key];
    if (value) env[key] = value;
  }
  return env;
}

/** Fresh per run: production refuses the development defaults, and these never leave the machine. */
const secrets = {
  session: randomBytes(32).toString("base64url"),
  token: randomBytes(32).toString("base64url"),
  auth: randomBytes(32).toString("base64url"),
};

export function appEnv(appUrl: string, port: number, databaseUrl: string): Env {
  return {
    ...baseEnv(),
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST_DIR,
    APP_URL: appUrl,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: secrets.session,
    TOKEN_ENCRYPTION_KEY: secrets.token,
    AUTH_SECRET: secrets.auth,
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: APP_SECRET,
    WECHAT_OAUTH_BASE: SIM_URL,
    WECHAT_API_BASE: SIM_URL,
    WCUC_BENCH: "1",
    WCUC_LOG: "silent",
  };
}

export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  /** The last 64 KB of its stdout and stderr, for error messages. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
}

const running = new Set<Child>();

function start(name: string, command: string, args: string[], env: Env): Child {
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-65_536);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const exited = new Promise<number | string>((resolve) => {
    proc.once("error", (err) => {
      tail += `\n${String(err)}`;
      resolve("spawn-error");
    });
    proc.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  const child: Child = { name, proc, output: () => tail, exited };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

function signalGroup(child: Child, signal: NodeJS.Signals): void {
  if (child.proc.pid === undefined) return;
  try {
    process.kill(-child.proc.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the child's group; SIGKILL after 5 s. */
export async function stop(child: Child): Promise<void> {
  if (!running.has(child)) return;
  signalGroup(child, "SIGTERM");
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 5000);
  await child.exited;
  clearTimeout(timer);
  running.delete(child);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stop));
}

// Last resort when the process exits without going through stopAll (an uncaught error, process.exit).
process.on("exit", () => {
  for (const child of running) signalGroup(child, "SIGKILL");
});

// Ctrl-C reaches only our own process group: the children live in theirs, so stop them here.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`[bench] ${signal}: stopping servers`);
    void stopAll().finally(() => process.exit(130));
  });
}

async function run(name: string, command: string, args: string[], env: Env): Promise<void> {
  const child = start(name, command, args, env);
  const code = await child.exited;
  if (code !== 0) throw new Error(`${name} failed (${code}):\n${child.output().slice(-4000)}`);
}

/** Builds into DIST_DIR, or with `reuse` checks that an earlier build is there. */
export async function ensureBuild(reuse: boolean, log: (line: string) => void = () => {}): Promise<void> {
  if (!reuse) {
    log(`next build (${DIST_DIR})`);
    return build();
  }
  if (!existsSync(path.join(ROOT, DIST_DIR, "BUILD_ID"))) {
    throw new Error(`--no-build, but ${DIST_DIR} has no build: run once without --no-build`);
  }
}

export async function build(): Promise<void> {
  const tsconfig = path.join(ROOT, "tsconfig.json");
  const before = await readFile(tsconfig, "utf8");
  try {
    // Build-time env matches run-time env; the database is chosen at run time, so one build serves both.
    await run(
      "next build",
      "node_modules/.bin/next",
      ["build"],
      appEnv(`http://127.0.0.1:${APP_PORT_BASE}`, APP_PORT_BASE, `file:./data/bench-build${SLOT || ""}.db`),
    );
  } finally {
    await undoTsconfigRewrite(tsconfig, before);
  }
}

/**
 * `next build` adds `<distDir>/types/**\/*.ts` to tsconfig's include when it is missing (and
 * reformats the file). Put the file back when that is the only change, so a benchmark leaves the
 * working tree as it found it; anything else changed meanwhile is someone's edit and stays.
 */
async function undoTsconfigRewrite(file: string, before: string): Promise<void> {
  const after = await readFile(file, "utf8");
  if (after === before) return;
  try {
    const added = new Set([`${DIST_DIR}/types/**/*.ts`, `${DIST_DIR}/dev/types/**/*.ts`]);
    const parsed = JSON.parse(after) as { include?: unknown };
    if (Array.isArray(parsed.include)) parsed.include = parsed.include.filter((p) => !added.has(p as string));
    if (isDeepStrictEqual(parsed, JSON.parse(before))) await writeFile(file, before);
  } catch {
    // not JSON any more: leave it alone
  }
}

export async function migrate(databaseUrl: string): Promise<void> {
  await run("db:migrate", "npm", ["run", "db:migrate", "--silent", "--", "--quiet"], {
    ...baseEnv(),
    DATABASE_URL: databaseUrl,
  });
}

/** Polls `url` until it answers 200; fails early if the child dies. */
async function waitHealthy(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead: number | string | undefined;
  void child.exited.then((code) => (dead = code));
  while (Date.now() < deadline) {
    if (dead !== undefined) throw new Error(`${child.name} exited (${dead}):\n${child.output().slice(-4000)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${child.name} not healthy at ${url} after ${timeoutMs / 1000} s:\n${child.output().slice(-4000)}`);
}

export async function startSimulator(): Promise<Child> {
  // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the simulator there too (written when it is stopped).
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = start("simulator", "node_modules/.bin/tsx", [...prof, "simulator/cli.ts"], {
    ...baseEnv(),
    SIM_PORT: String(SIM_PORT),
    SIM_REDIRECT_DOMAINS: "127.0.0.1,localhost",
  });
  await waitHealthy(child, `${SIM_URL}/__sim/health`);
  return child;
}

/** `next start` on 127.0.0.1:port; `nodeArgs` go to node itself (e.g. --cpu-prof, refused in NODE_OPTIONS). */
export async function startApp(
  port: number,
  databaseUrl: string,
  nodeArgs: string[] = [],
  extraEnv: Env = {},
): Promise<{ child: Child; appUrl: string }> {
  const appUrl = `http://127.0.0.1:${port}`;
  const child = start(
    `next start :${port}`,
    process.execPath,
    [...nodeArgs, "node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"],
    { ...appEnv(appUrl, port, databaseUrl), ...extraEnv },
  );
  await waitHealthy(child, `${appUrl}/api/health`);
  return { child, appUrl };
}

/** A fresh SQLite file under data/ (gitignored). */
export async function freshSqlite(): Promise<string> {
  const file = "data/bench.db";
  await Promise.all(
    ["", "-wal", "-shm", "-journal"].map((suffix) => rm(path.join(ROOT, file + suffix), { force: true })),
  );
  return `file:./${file}`;
}

export const POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
export const POSTGRES_BENCH_URL = "postgresql://postgres@127.0.0.1:5432/wcuc_bench";

/** Drops and recreates wcuc_bench; the reason to skip when PostgreSQL cannot be reached. */
export async function freshPostgres(): Promise<{ url: string } | { skipped: string }> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    return { skipped: `PostgreSQL unreachable at ${POSTGRES_ADMIN_URL} (${(err as Error).message})` };
  }
  try {
    await client.query("DROP DATABASE IF EXISTS wcuc_bench WITH (FORCE)");
    await client.query("CREATE DATABASE wcuc_bench");
  } finally {
    await client.end();
  }
  return { url: POSTGRES_BENCH_URL };
}

export async function dropPostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query("DROP DATABASE IF EXISTS wcuc_bench WITH (FORCE)");
  } finally {
    await client.end();
  }
}

/**
 * CPU time the process has used, in ms (Linux: /proc/<pid>/stat, all threads). Unlike latency it
 * hardly moves when other work shares the machine, so the me/floor ratio of it stays comparable.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== "linux") return undefined;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * An empty database of `kind` for a bench of its own: the SQLite file (and its -wal/-shm/-journal)
 * removed, or the PostgreSQL database `pgName` dropped and made again. Its URL.
 */
export async function freshNamedDatabase(kind: string, sqliteFile: string, pgName: string): Promise<string> {
  if (kind === "sqlite") {
    await Promise.all(["", "-wal", "-shm", "-journal"].map((s) => rm(sqliteFile + s, { force: true })));
    return `file:${sqliteFile}`;
  }
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${pgName}`);
  } finally {
    await client.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${pgName}`;
  return url.toString();
}
