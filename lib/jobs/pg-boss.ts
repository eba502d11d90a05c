// The PostgreSQL backend: pg-boss 10 (the last line that runs on Node 20) on the database we already
// have, in its own `pgboss` schema, which pg-boss creates and migrates itself at start (Prisma's
// `public` schema is untouched, so the drift check is unaffected). pg-boss gives the queue across
// instances: SKIP LOCKED claims, one waiting job per key (the `short` policy), slots for schedules
// (singletonSeconds), retries with backoff, expiry of jobs whose runner died, archiving.
//
// pg-boss 10 has no progress or heartbeat of its own. Progress goes into the job's `data` (under
// `progress`), which pg-boss carries over to a retry, so a job expired after a crash resumes from it;
// each report also moves the job's expiry forward (expire_in from started_on), which is the heartbeat.
import { randomUUID } from "node:crypto";
import PgBoss from "pg-boss";
import type pg from "pg";
import { openPgPool } from "@/lib/db/connections";
import { log } from "@/lib/log";
import type { ClaimedJob, Json, JobBackend, JobState, JobView, SendOptions } from "./types";

export const PGBOSS_SCHEMA = "pgboss";
const OWN_KEY = "~";

interface Data {
  readonly payload: Json;
  readonly progress?: Json;
}

const STATES: Record<string, JobState> = {
  created: "queued",
  retry: "queued",
  active: "active",
  completed: "done",
  failed: "failed",
  cancelled: "cancelled",
};

export class PgBossJobBackend implements JobBackend {
  private readonly boss: PgBoss;
  private readonly pool: pg.Pool;
  private started: Promise<unknown> | undefined;
  private readonly queues = new Map<string, Promise<void>>();
  private making: Promise<unknown> = Promise.resolve();

  /** `supervise`: this process also expires dead runners' jobs and archives old ones (the app does; tests not). */
  constructor(connectionString: string, options: { supervise: boolean; heartbeatMs: number }) {
    // Its two connections come from the data layer like every other pool (lib/db/connections.ts);
    // pg-boss runs its SQL through them and never opens a pool of its own.
    const pool = openPgPool(connectionString, { max: 2 });
    this.pool = pool;
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: PGBOSS_SCHEMA,
      supervise: options.supervise,
      // Schedules are the runner's (lib/jobs/runner.ts), the same on both databases.
      schedule: false,
      migrate: true,
      expireInSeconds: Math.ceil(options.heartbeatMs / 1000),
    });
    this.boss.on("error", (error: Error) => log.error("pgboss_error", { error: error.message }));
  }

  private async ready(name: string): Promise<PgBoss> {
    this.started ??= this.boss.start();
    await this.started;
    let queue = this.queues.get(name);
    if (!queue) {
      // One name at a time in this process (each holds a connection of two while it makes its queue).
      queue = this.making.then(() => this.makeQueue(name));
      this.making = queue.catch(() => {});
      this.queues.set(name, queue);
      // A failure is not remembered: the next call for this name tries again.
      queue.catch(() => this.queues.delete(name));
    }
    await queue;
    return this.boss;
  }

  /**
   * Makes a name's queue unless it exists. pg-boss's create_queue attaches a table to its job table and
   * takes no lock of its own, so two made at once (two names here, or two processes starting) deadlock:
   * a lock across processes makes them one at a time.
   */
  private async makeQueue(name: string): Promise<void> {
    if (await this.boss.getQueue(name)) return;
    const client = await this.pool.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(hashtext('${PGBOSS_SCHEMA}.create_queue'))`);
      try {
        await this.boss.createQueue(name, { name, policy: "short" }).catch(ignoreRace);
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtext('${PGBOSS_SCHEMA}.create_queue'))`);
      }
    } finally {
      client.release();
    }
  }

  private sql(text: string, values: unknown[]) {
    return this.pool.query(text, values);
  }

  async send(name: string, payload: Json, options: SendOptions): Promise<string | null> {
    const boss = await this.ready(name);
    const data: Data = { payload };
    return boss.send(name, data, {
      retryLimit: options.attempts - 1,
      retryDelay: Math.ceil(options.retryDelayMs / 1000),
      retryBackoff: options.backoff,
      ...(options.slot
        ? { singletonKey: `@${options.slot.start.toISOString()}`, singletonSeconds: options.slot.seconds }
        : // The `short` policy allows one waiting job per key, an absent key included: a job without a
          // key gets one of its own.
          { singletonKey: options.key ?? `${OWN_KEY}${randomUUID()}` }),
    });
  }

  async claim(name: string): Promise<ClaimedJob | null> {
    const boss = await this.ready(name);
    const [job] = await boss.fetch<Data>(name, { includeMetadata: true });
    if (!job) return null;
    return {
      id: job.id,
      name,
      payload: job.data.payload,
      attempt: job.retryCount + 1,
      checkpoint: job.data.progress ?? null,
      createdAt: job.createdOn,
    };
  }

  async progress(id: string, name: string, value: Json, heartbeatMs: number): Promise<void> {
    await this.ready(name);
    await this.sql(
      `UPDATE ${PGBOSS_SCHEMA}.job SET data = jsonb_set(data, '{progress}', $3::jsonb),
         expire_in = (now() - started_on) + $4 * interval '1 millisecond'
       WHERE name = $1 AND id = $2 AND state = 'active'`,
      [name, id, JSON.stringify(value), heartbeatMs],
    );
  }

  async complete(id: string, name: string, output: Json): Promise<void> {
    const boss = await this.ready(name);
    await boss.complete(name, id, { value: output });
  }

  async fail(id: string, name: string, error: string): Promise<void> {
    const boss = await this.ready(name);
    await boss.fail(name, id, { message: error });
  }

  async cancel(id: string, name: string): Promise<void> {
    const boss = await this.ready(name);
    await boss.cancel(name, id);
  }

  async list(limit: number): Promise<JobView[]> {
    this.started ??= this.boss.start();
    await this.started;
    const { rows } = await this.sql(
      `SELECT id, name, singleton_key, state, retry_count, started_on, data, output, created_on, start_after, completed_on
       FROM ${PGBOSS_SCHEMA}.job ORDER BY created_on DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row: Record<string, unknown>) => {
      const data = (row.data ?? {}) as Data;
      const output = row.output as { value?: Json; message?: string } | null;
      const state = STATES[String(row.state)] ?? "queued";
      return {
        id: String(row.id),
        name: String(row.name),
        key: typeof row.singleton_key === "string" && !row.singleton_key.startsWith(OWN_KEY) ? row.singleton_key : null,
        state,
        attempts: Number(row.retry_count) + (row.started_on ? 1 : 0),
        progress: state === "done" && output?.value !== undefined ? output.value : (data.progress ?? null),
        error: state === "failed" || row.state === "retry" ? (output?.message ?? null) : null,
        createdAt: row.created_on as Date,
        runAfter: row.start_after as Date,
        finishedAt: (row.completed_on as Date | null) ?? null,
      };
    });
  }

  async maintain(): Promise<void> {
    this.started ??= this.boss.start();
    await this.started;
    await this.boss.maintain();
  }

  async close(): Promise<void> {
    if (this.started) await this.boss.stop({ graceful: false, wait: true, close: true });
    this.started = undefined;
    if (!this.pool.ended) await this.pool.end();
  }
}

/** Two processes creating one queue at once: the loser's "already exists" is fine. */
function ignoreRace(error: unknown): void {
  if (!(error instanceof Error && /already exists|duplicate key/i.test(error.message))) throw error;
}
