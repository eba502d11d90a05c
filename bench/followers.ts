/**
 * The follower sync at scale: the simulator with N generated followers (default 1,000,000), then
 * `npm run wechat:sync-followers` (the real CLI, through the central token service) on a fresh SQLite
 * and a fresh PostgreSQL database: wall time and the CLI's peak RSS (the kernel's high-water mark),
 * then a second sync over the same people (every follower already known: the update path).
 *
 *   BENCH_SLOT=3 npx tsx bench/followers.ts                               # both databases, 1M, twice each
 *   BENCH_SLOT=3 npx tsx bench/followers.ts --db sqlite --followers 100000 --once
 *
 * Target (issue 4): under 5 minutes and under 300 MB at 1,000,000. Results also go to
 * bench/results/followers-<timestamp>.json with the machine.
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { POSTGRES_ADMIN_URL, ROOT, SIM_URL, freshNamedDatabase, migrate, startSimulator, stopAll } from "./servers";

const { values: args } = parseArgs({
  options: {
    db: { type: "string", default: "both" },
    followers: { type: "string", default: "1000000" },
    concurrency: { type: "string", default: "4" },
    once: { type: "boolean", default: false },
  },
});
const FOLLOWERS = Number(args.followers);
const kinds = args.db === "both" ? ["sqlite", "postgresql"] : [args.db];
const SQLITE_FILE = path.join(ROOT, "data/bench-followers.db");
const PG_NAME = "wcuc_bench_followers";

const log = (line: string) => process.stderr.write(`${line}\n`);

interface Run {
  readonly db: string;
  readonly pass: "first" | "again";
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly stored: number;
}

const freshDatabase = (kind: string) => freshNamedDatabase(kind, SQLITE_FILE, PG_NAME);

async function countSubscribed(url: string): Promise<number> {
  if (url.startsWith("file:")) {
    const db = new Database(SQLITE_FILE, { readonly: true });
    try {
      return (db.prepare(`SELECT count(*) AS n FROM "User" WHERE subscribed = 1`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*) AS n FROM "User" WHERE subscribed`)).rows[0].n);
  } finally {
    await client.end();
  }
}

/** Runs the CLI to the end; its last line carries the peak RSS. */
function runCli(databaseUrl: string): Promise<{ seconds: number; peakRssMb: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        // As package.json's wechat:sync-followers runs it, in one process (tsx as a loader).
        "--max-old-space-size=128",
        "--conditions=react-server",
        "--import",
        "tsx/esm",
        "prisma/scripts/sync-followers.ts",
        "--concurrency",
        args.concurrency,
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: databaseUrl,
          WECHAT_API_BASE: SIM_URL,
          WECHAT_API_BACKUP_BASE: SIM_URL,
          WECHAT_OAUTH_BASE: SIM_URL,
          WCUC_LOG: "silent",
          CHECKPOINT_DISABLE: "1",
        } as unknown as NodeJS.ProcessEnv,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let tail = "";
    child.stderr.on("data", (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-4000);
      const last = tail
        .split(/[\r\n]/)
        .filter(Boolean)
        .pop();
      if (last) process.stderr.write(`\r  ${last.slice(0, 150)}`);
    });
    child.once("exit", (code) => {
      process.stderr.write("\n");
      const rss = /peak RSS (\d+) MB/.exec(tail);
      if (code !== 0 || !rss) return reject(new Error(`sync exited ${code}:\n${tail}`));
      resolve({ seconds: (Date.now() - started) / 1000, peakRssMb: Number(rss[1]) });
    });
  });
}

async function main(): Promise<void> {
  log(`follower sync bench: ${FOLLOWERS.toLocaleString("en-US")} followers, ${kinds.join(" and ")}`);
  await startSimulator();
  const configured = await fetch(`${SIM_URL}/__sim/followers/configure`, {
    method: "POST",
    body: JSON.stringify({ count: FOLLOWERS, fixtures: false }),
  });
  if (!configured.ok) throw new Error(`simulator configure: ${configured.status}`);
  const runs: Run[] = [];
  for (const kind of kinds) {
    let url: string;
    try {
      url = await freshDatabase(kind);
    } catch (error) {
      log(`${kind}: skipped (${(error as Error).message})`);
      continue;
    }
    await migrate(url);
    for (const pass of args.once ? (["first"] as const) : (["first", "again"] as const)) {
      log(`${kind}, ${pass === "first" ? "empty database" : "everyone known"}:`);
      const { seconds, peakRssMb } = await runCli(url);
      const stored = await countSubscribed(url);
      runs.push({ db: kind, pass, seconds, peakRssMb, stored });
      log(`  ${seconds.toFixed(1)} s, peak RSS ${peakRssMb} MB, ${stored.toLocaleString("en-US")} subscribed`);
      if (stored !== FOLLOWERS) throw new Error(`expected ${FOLLOWERS} subscribed, found ${stored}`);
    }
    if (kind === "postgresql") {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${PG_NAME} WITH (FORCE)`).finally(() => client.end());
    }
  }
  const machine = {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    load: os.loadavg().map((l) => l.toFixed(1)),
  };
  log("\n| database | pass | time | peak RSS |\n| --- | --- | ---: | ---: |");
  for (const r of runs) log(`| ${r.db} | ${r.pass} | ${r.seconds.toFixed(1)} s | ${r.peakRssMb} MB |`);
  log(`machine: ${JSON.stringify(machine)}`);
  await mkdir(path.join(ROOT, "bench/results"), { recursive: true });
  const file = path.join(ROOT, `bench/results/followers-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  await writeFile(
    file,
    JSON.stringify({ followers: FOLLOWERS, concurrency: args.concurrency, runs, machine }, null, 2),
  );
}

main()
  .catch((error: unknown) => {
    log(String(error instanceof Error ? error.stack : error));
    process.exitCode = 1;
  })
  .finally(() => stopAll());
