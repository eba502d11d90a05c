// The one job mechanism's vocabulary: what a job is (a name, a zod-checked payload, retries, an optional
// lock and schedule, and the work), what the work is handed while it runs, and what a backend stores.
// Two backends: pg-boss on PostgreSQL (pg-boss.ts), a table of our own on SQLite (sqlite.ts); the runner
// (runner.ts) is the same for both.
import type { z } from "zod";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface JobContext {
  readonly id: string;
  /** 1 for the first attempt; a retry or a resume after a crash counts up. */
  readonly attempt: number;
  /** Aborted when the runner stops: leave everything as a killed process would, it resumes. */
  readonly signal: AbortSignal;
  /** When the job was queued (a request already served by a later run needs no second one). */
  readonly enqueuedAt: Date;
  /** What an earlier attempt of this job last reported (where to continue), or null. */
  readonly checkpoint: Json;
  /**
   * Reports progress: the console reads it, a resumed attempt gets it as `checkpoint`, and it is the
   * heartbeat that keeps the job and its lock. Stored at most once a second unless `checkpoint`.
   * Throws when the lock was lost to another runner.
   */
  progress(value: Json, options?: { checkpoint?: boolean }): Promise<void>;
}

export interface JobLock {
  /** The lease (lib/lease.ts) held while the job runs: one runner at a time across processes. */
  readonly name: string;
  readonly ttlMs: number;
  /** The error for "someone else holds it" (a route maps it to 409). */
  readonly busy: (holder: string, until: Date) => Error;
}

export interface JobDefinition<P = unknown> {
  readonly name: string;
  readonly payload: z.ZodType<P>;
  /** Attempts in all (default 3); a failed attempt is retried after retryDelayMs, doubled each time with backoff. */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
  readonly backoff?: boolean;
  readonly lock?: JobLock;
  /** A schedule: enqueued once per period of this many seconds, across all instances. */
  readonly every?: { readonly seconds: number; readonly payload: P };
  run(payload: P, ctx: JobContext): Promise<Json | void>;
}

/** Declares a job with its payload type taken from its schema. */
export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

export type JobState = "queued" | "active" | "done" | "failed" | "cancelled";

/** One job as the console lists it. */
export interface JobView {
  readonly id: string;
  readonly name: string;
  readonly key: string | null;
  readonly state: JobState;
  readonly attempts: number;
  readonly progress: Json;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly runAfter: Date;
  readonly finishedAt: Date | null;
}

export interface SendOptions {
  /** At most one queued job per (name, key): a second send while one waits returns null. */
  readonly key?: string;
  /** A schedule's period starting here: at most one job per (name, slot) ever, across instances. */
  readonly slot?: { readonly start: Date; readonly seconds: number };
  readonly attempts: number;
  readonly retryDelayMs: number;
  readonly backoff: boolean;
}

export interface ClaimedJob {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
  readonly attempt: number;
  readonly checkpoint: Json;
  readonly createdAt: Date;
}

/** Where jobs are kept. Every method is safe across processes. */
export interface JobBackend {
  send(name: string, payload: Json, options: SendOptions): Promise<string | null>;
  /** The next job of `name` ready to run (or abandoned by a dead runner), now marked active. */
  claim(name: string, heartbeatMs: number): Promise<ClaimedJob | null>;
  /** Stores progress and extends the job's heartbeat. */
  progress(id: string, name: string, value: Json, heartbeatMs: number): Promise<void>;
  complete(id: string, name: string, output: Json): Promise<void>;
  /** Retried later (with backoff) while attempts remain, else failed. */
  fail(id: string, name: string, error: string): Promise<void>;
  cancel(id: string, name: string): Promise<void>;
  list(limit: number): Promise<JobView[]>;
  /** Housekeeping a supervisor does on a timer (pg-boss: expire dead runners' jobs, archive). */
  maintain(): Promise<void>;
  close(): Promise<void>;
}

/** A payload that its job's schema refuses: never retried. */
export class JobPayloadError extends Error {
  override name = "JobPayloadError";
}
