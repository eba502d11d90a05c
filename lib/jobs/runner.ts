// The job runner, the same over both backends: it checks payloads with each job's schema, enqueues
// schedules once per period, claims ready jobs and runs them with a context (progress, checkpoint,
// heartbeat, abort), holds a job's lock (a lease) while it runs, and hands failures back for retry.
// Time is the injected clock's; `tick()` does one round, so tests drive it without timers, and `start()`
// only runs ticks on an interval.
import type { Db } from "@/lib/db";
import { acquireLease, readLease, releaseLease, renewLease, type HeldLease } from "@/lib/lease";
import { log } from "@/lib/log";
import {
  JobPayloadError,
  type ClaimedJob,
  type Json,
  type JobBackend,
  type JobContext,
  type JobDefinition,
  type JobView,
} from "./types";

/** A running attempt with no heartbeat for this long is taken as dead and picked up again. */
export const HEARTBEAT_MS = 60_000;
const PROGRESS_EVERY_MS = 1000;
const DEFAULTS = { attempts: 3, retryDelayMs: 30_000, backoff: true };

export interface RunnerOptions {
  readonly backend: JobBackend;
  /** Where the jobs' locks (leases) are. */
  readonly db: Db;
  readonly now: () => Date;
  /** Who runs (host:pid): the holder of the locks. */
  readonly holder: string;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Every progress value as it is reported (a terminal's bar), not only the stored ones. */
  readonly onProgress?: (value: Json) => void;
}

type AnyJob = JobDefinition<unknown>;

export class JobRunner {
  private readonly jobs = new Map<string, AnyJob>();
  private readonly slots = new Map<string, number>();
  private readonly stopping = new AbortController();
  /** Per job name, the claim loop running now: names run side by side, one loop per name at a time. */
  private readonly draining = new Map<string, Promise<number>>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly options: RunnerOptions,
    definitions: readonly JobDefinition<never>[],
  ) {
    for (const job of definitions) this.jobs.set(job.name, job as unknown as AnyJob);
  }

  private job(name: string): AnyJob {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    return job;
  }

  /** Queues a job; null when one with this key is already waiting. Throws JobPayloadError. */
  async enqueue(name: string, payload: unknown, options: { key?: string } = {}): Promise<string | null> {
    const job = this.job(name);
    return this.options.backend.send(name, checkPayload(job, payload) as Json, { ...retryOf(job), key: options.key });
  }

  /** Throws the job's busy error when its lock is held by a live runner. */
  async assertFree(name: string): Promise<void> {
    const lock = this.job(name).lock;
    if (!lock) return;
    const lease = await readLease(this.options.db, lock.name);
    if (lease && lease.leaseUntil > this.options.now()) throw lock.busy(lease.holder, lease.leaseUntil);
  }

  /**
   * One round: due schedules enqueued, then the ready jobs of every name not already being run, each
   * name's one after the other (a long follower sync does not hold up the minute's retry). Resolves when
   * the jobs it started are over, with how many ran.
   */
  async tick(): Promise<number> {
    await this.enqueueSchedules();
    const idle = [...this.jobs.keys()].filter((name) => !this.draining.has(name));
    const ran = await Promise.all(idle.map((name) => this.drain(name)));
    return ran.reduce((sum, n) => sum + n, 0);
  }

  /** Runs the ready jobs of one name until none is left, after the loop of that name already going. */
  drain(name: string): Promise<number> {
    const previous = this.draining.get(name)?.catch(() => 0) ?? Promise.resolve(0);
    const next = previous.then(() => this.claimAndRun(name));
    this.draining.set(name, next);
    const done = () => {
      if (this.draining.get(name) === next) this.draining.delete(name);
    };
    next.then(done, done);
    return next;
  }

  private async claimAndRun(name: string): Promise<number> {
    let ran = 0;
    while (!this.stopping.signal.aborted) {
      const claimed = await this.options.backend.claim(name, HEARTBEAT_MS);
      if (!claimed) break;
      ran++;
      await this.execute(claimed).catch(() => {});
    }
    return ran;
  }

  private async enqueueSchedules(): Promise<void> {
    const now = this.options.now().getTime();
    for (const job of this.jobs.values()) {
      if (!job.every) continue;
      const periodMs = job.every.seconds * 1000;
      const start = Math.floor(now / periodMs) * periodMs;
      if (this.slots.get(job.name) === start) continue;
      await this.options.backend.send(job.name, checkPayload(job, job.every.payload) as Json, {
        ...retryOf(job),
        attempts: 1,
        slot: { start: new Date(start), seconds: job.every.seconds },
      });
      this.slots.set(job.name, start);
    }
  }

  /**
   * Runs a job here and now through the queue (the CLI's foreground run): a job of its own queued,
   * claimed and run in this process with every progress value handed to `onProgress`. Throws the job's
   * busy error when its lock is held, and whatever the job threw.
   */
  async runNow(name: string, payload: unknown, options: RunOptions = {}): Promise<Json | void> {
    await this.assertFree(name);
    await this.enqueue(name, payload);
    const claimed = await this.options.backend.claim(name, HEARTBEAT_MS);
    if (!claimed) throw new Error(`job ${name} was taken by another runner`);
    return this.execute(claimed, options);
  }

  private execute(claimed: ClaimedJob, options: RunOptions = {}): Promise<Json | void> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopping.signal]) : this.stopping.signal;
    return execute(this.job(claimed.name), claimed, this.options, { ...options, signal }, this.options.backend);
  }

  /** Recent jobs, newest first, with their state and progress. */
  list(limit = 50): Promise<JobView[]> {
    return this.options.backend.list(limit);
  }

  /** Ticks every `intervalMs` until stop(). */
  start(intervalMs = 5000): void {
    if (this.timer) return;
    const run = () =>
      void this.tick().catch((error: unknown) => log.error("job_tick_failed", { error: describe(error) }));
    this.timer = setInterval(run, intervalMs);
    this.timer.unref?.();
    run();
  }

  /** Stops ticking and aborts running jobs (they resume elsewhere or at the next start). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort(new Error("the job runner stopped"));
    await Promise.all([...this.draining.values()].map((loop) => loop.catch(() => 0)));
    await this.options.backend.close();
  }
}

/** Where a job runs: the locks' database, the clock, and who holds the locks. */
export interface RunPlace {
  readonly db: Db;
  readonly now: () => Date;
  readonly holder: string;
}

/**
 * Runs a job's work in this process without the queue, under its lock: a direct call of the procedure
 * (a test, a script). Throws the job's busy error when the lock is held.
 */
export function runJobInline<P>(
  job: JobDefinition<P>,
  payload: P,
  place: RunPlace,
  options: RunOptions = {},
): Promise<Json | void> {
  const claimed = {
    id: `inline:${job.name}`,
    name: job.name,
    payload,
    attempt: 1,
    checkpoint: null,
    createdAt: place.now(),
  };
  return execute(job as unknown as AnyJob, claimed, place, options, null);
}

async function execute(
  job: AnyJob,
  claimed: ClaimedJob,
  place: RunPlace,
  options: RunOptions,
  backend: JobBackend | null,
): Promise<Json | void> {
  const { db, now, holder } = place;
  let payload: unknown;
  try {
    payload = checkPayload(job, claimed.payload);
  } catch (error) {
    await backend?.fail(claimed.id, claimed.name, describe(error));
    throw error;
  }
  let lease: HeldLease | null = null;
  if (job.lock) {
    lease = await acquireLease(db, { name: job.lock.name, holder, now: now(), ttlMs: job.lock.ttlMs });
    if (!lease) {
      // The holder is doing this very work: this request is covered by it.
      await backend?.cancel(claimed.id, claimed.name);
      const busy = await readLease(db, job.lock.name);
      throw job.lock.busy(busy?.holder ?? "?", busy?.leaseUntil ?? now());
    }
  }
  const signal = options.signal ?? new AbortController().signal;
  let lastStored = now().getTime();
  let lastRenewed = lastStored;
  const ctx: JobContext = {
    id: claimed.id,
    attempt: claimed.attempt,
    enqueuedAt: claimed.createdAt,
    signal,
    checkpoint: claimed.checkpoint,
    progress: async (value, opts = {}) => {
      options.onProgress?.(value);
      const at = now().getTime();
      if (lease && job.lock && (opts.checkpoint || at - lastRenewed >= job.lock.ttlMs / 3)) {
        if (!(await renewLease(db, lease, now(), job.lock.ttlMs))) {
          throw new Error(`job ${claimed.name}: its lock ${job.lock.name} was lost to another runner`);
        }
        lastRenewed = at;
      }
      if (backend && (opts.checkpoint || at - lastStored >= PROGRESS_EVERY_MS)) {
        await backend.progress(claimed.id, claimed.name, value, HEARTBEAT_MS);
        lastStored = at;
      }
    },
  };
  try {
    const output = await job.run(payload, ctx);
    await backend?.complete(claimed.id, claimed.name, output ?? null);
    if (lease) await releaseLease(db, lease, now());
    return output;
  } catch (error) {
    // Aborted: left as a killed process would leave it (the job and its lock run out, then it resumes).
    if (signal.aborted) throw error;
    log.error("job_failed", { job: claimed.name, id: claimed.id, attempt: claimed.attempt, error: describe(error) });
    await backend?.fail(claimed.id, claimed.name, describe(error)).catch(() => {});
    if (lease) await releaseLease(db, lease, now()).catch(() => {});
    throw error;
  }
}

function checkPayload(job: AnyJob, payload: unknown): unknown {
  const parsed = job.payload.safeParse(payload);
  if (!parsed.success) throw new JobPayloadError(`job ${job.name}: ${parsed.error.message}`);
  return parsed.data;
}

function retryOf(job: AnyJob) {
  return {
    attempts: job.attempts ?? DEFAULTS.attempts,
    retryDelayMs: job.retryDelayMs ?? DEFAULTS.retryDelayMs,
    backoff: job.backoff ?? DEFAULTS.backoff,
  };
}

export function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 1000);
}
