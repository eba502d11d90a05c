// Test support for the job mechanism (lib/jobs): a backend of the test database's kind and a runner on
// an injected clock, so tests drive jobs with tick() and never wait. On PostgreSQL the backend is
// pg-boss itself (not supervised: tests call maintain() when they mean to).
import pg from "pg";
import type { TestDatabase } from "@/test/support/db";
import { PGBOSS_SCHEMA, PgBossJobBackend } from "@/lib/jobs/pg-boss";
import { HEARTBEAT_MS, JobRunner } from "@/lib/jobs/runner";
import { SqliteJobBackend } from "@/lib/jobs/sqlite";
import type { JobBackend, JobDefinition } from "@/lib/jobs/types";

export function testJobBackend(database: TestDatabase, now: () => Date): JobBackend {
  return database.kind === "sqlite"
    ? new SqliteJobBackend(database.db, now)
    : new PgBossJobBackend(database.url, { supervise: false, heartbeatMs: HEARTBEAT_MS });
}

export function testRunner(
  database: TestDatabase,
  now: () => Date,
  jobs: readonly JobDefinition<never>[],
  options: { holder?: string; backend?: JobBackend } = {},
): JobRunner {
  return new JobRunner(
    {
      backend: options.backend ?? testJobBackend(database, now),
      db: database.db,
      now,
      holder: options.holder ?? "test",
    },
    jobs,
  );
}

/** Runs SQL on pg-boss's own tables: what waiting would do to its database-clock times. */
export async function pgbossSql(database: TestDatabase, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(sql.replaceAll("$schema", PGBOSS_SCHEMA));
  } finally {
    await client.end();
  }
}

/** Forgets every job of either backend. */
export async function clearJobs(database: TestDatabase): Promise<void> {
  await database.db.job.deleteMany();
  if (database.kind === "postgresql") await pgbossSql(database, "DROP SCHEMA IF EXISTS $schema CASCADE");
}
