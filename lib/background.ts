import "server-only";
// The app's background jobs (lib/jobs): the runner built once from the parsed env and the database, on
// pg-boss for PostgreSQL and the Job table for SQLite, with every job the product runs. Started by the
// start-up hook (lib/startup.ts) only: `next build` and tests build nothing here unless they ask.
import { db, dialectOf, perDatabase, type Db } from "@/lib/db";
import { env } from "@/lib/env";
import { followerSyncJob } from "@/lib/followers/sync";
import { PgBossJobBackend } from "@/lib/jobs/pg-boss";
import { HEARTBEAT_MS, JobRunner } from "@/lib/jobs/runner";
import { SqliteJobBackend } from "@/lib/jobs/sqlite";
import type { JobBackend, JobDefinition } from "@/lib/jobs/types";
import { appPendingEventsJob } from "@/lib/messages/deps";
import { retentionJob } from "@/lib/retention";
import { INSTANCE, services } from "@/lib/services";

/** The backend for this database: pg-boss on PostgreSQL, the Job table on SQLite. */
export function jobBackend(url: string, database: Db, now: () => Date, supervise: boolean): JobBackend {
  return perDatabase<JobBackend>(dialectOf(database), {
    sqlite: () => new SqliteJobBackend(database, now),
    postgresql: () => new PgBossJobBackend(url, { supervise, heartbeatMs: HEARTBEAT_MS }),
  });
}

/** A runner for `jobs` on the process's database (the CLI makes its own with a progress listener). */
export function createRunner(jobs: readonly JobDefinition<never>[], options: { supervise: boolean }): JobRunner {
  const now = () => new Date();
  return new JobRunner(
    { backend: jobBackend(env().DATABASE_URL, db(), now, options.supervise), db: db(), now, holder: INSTANCE },
    jobs,
  );
}

const globalForJobs = globalThis as unknown as { wcucJobs?: { db: Db; runner: JobRunner } };

/** The app's runner with every job (built on first use for the process's database; kept across Next.js dev reloads). */
export function backgroundJobs(options: { supervise: boolean } = { supervise: false }): JobRunner {
  const current = globalForJobs.wcucJobs;
  if (current?.db === db()) return current.runner;
  const runner = createRunner(
    [
      followerSyncJob(services.followers),
      appPendingEventsJob(),
      retentionJob({ db: db(), now: () => new Date(), ...env() }),
    ] as unknown as JobDefinition<never>[],
    options,
  );
  globalForJobs.wcucJobs = { db: db(), runner };
  return runner;
}

/**
 * Start-up: ticks the runner every few seconds; on PostgreSQL this process also supervises pg-boss
 * (expires the jobs of dead runners, archives old ones). Nothing to stop at exit: a job cut short is
 * picked up again once its heartbeat is over, from its checkpoint, as after a crash.
 */
export function startBackgroundJobs(): void {
  backgroundJobs({ supervise: true }).start(5000);
}
