// Template databases for the test run, migrated once with the real CLI (`prisma migrate deploy`, so the
// migrations under test are the ones that ship); each test file then copies a template, which takes
// milliseconds instead of a CLI run per file.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import Database from "better-sqlite3";
import pg from "pg";

const require = createRequire(import.meta.url);
const PRISMA_CLI = require.resolve("prisma/build/index.js");
const DONE = /All migrations have been successfully applied|No pending migrations to apply/;

/**
 * Runs `prisma migrate deploy` against `url`. The CLI's PostgreSQL adapter keeps its pool's idle
 * connections for pg's default 10 s after it has finished, so once the CLI reports success it is
 * stopped instead of waited for; a failure still shows its whole output.
 */
export function migrateDeploy(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PRISMA_CLI, "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let succeeded = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (!succeeded && DONE.test(output)) {
        succeeded = true;
        child.kill("SIGTERM");
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => {
      if (succeeded) return;
      if (code === 0) resolve();
      else reject(new Error(`prisma migrate deploy failed (exit ${code}) for ${redactUrl(url)}:\n${output}`));
    });
  });
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/** SQLite: a migrated file in WAL mode, as `npm run db:migrate` leaves it. */
export async function migrateSqliteTemplate(file: string): Promise<void> {
  await migrateDeploy(`file:${file}`);
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  // Fold the WAL back into the main file so that copying that one file copies everything.
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.close();
}

/** Why PostgreSQL at `adminUrl` cannot be used, or undefined when it can. */
export async function probePostgres(adminUrl: string): Promise<string | undefined> {
  const url = new URL(adminUrl);
  const host = url.hostname;
  const port = Number(url.port || 5432);
  const reachable = await new Promise<string | undefined>((resolve) => {
    const socket = net.connect({ host, port });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(1500, () => done(`no answer from ${host}:${port} within 1.5 s`));
    socket.once("connect", () => done(undefined));
    socket.once("error", (err: NodeJS.ErrnoException) =>
      done(`${host}:${port} unreachable (${err.code ?? err.message})`),
    );
  });
  if (reachable) return reachable;
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (err) {
    return `cannot connect to ${redactUrl(adminUrl)}: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A URL naming another database on the same server as `adminUrl`. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Migrates the (empty) template database; nobody may stay connected to a template. */
export async function migratePostgresTemplate(adminUrl: string, name: string): Promise<void> {
  await migrateDeploy(databaseUrl(adminUrl, name));
  await withAdmin(adminUrl, async (c) => {
    // The stopped CLI's backend may still be on its way out.
    for (let i = 0; i < 50; i++) {
      const { rows } = await c.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name],
      );
      if (rows.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`connections to template ${name} did not close`);
  });
}

export async function dropPostgresDatabases(adminUrl: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await withAdmin(adminUrl, async (c) => {
    for (const name of names) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}
