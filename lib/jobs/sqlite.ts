// The SQLite backend: jobs in the Job table (prisma/schema.prisma), for one machine and `npm run dev`.
// Claims are conditional updates, so two processes on the machine (the app and the CLI) never take
// the same job; an active job whose heartbeat (lockedUntil) has passed was abandoned by a dead process
// and is claimed again, with the progress it last stored as its checkpoint. Time is the injected clock.
import type { Db } from "@/lib/db";
import type { ClaimedJob, Json, JobBackend, JobState, JobView, SendOptions } from "./types";

export class SqliteJobBackend implements JobBackend {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  async send(name: string, payload: Json, options: SendOptions): Promise<string | null> {
    const now = this.now();
    const key = options.slot ? `@${options.slot.start.toISOString()}` : (options.key ?? null);
    if (key !== null) {
      // A slot is taken once ever; a key once while a job with it waits.
      const taken = await this.db.job.findFirst({
        where: { name, key, ...(options.slot ? {} : { state: "queued" }) },
        select: { id: true },
      });
      if (taken) return null;
    }
    const job = await this.db.job.create({
      data: {
        name,
        key,
        payload: JSON.stringify(payload),
        maxAttempts: options.attempts,
        retryDelayMs: options.retryDelayMs,
        backoff: options.backoff,
        runAfter: now,
        createdAt: now,
        updatedAt: now,
      },
    });
    return job.id;
  }

  async claim(name: string, heartbeatMs: number): Promise<ClaimedJob | null> {
    for (;;) {
      const now = this.now();
      const ready = {
        name,
        OR: [
          { state: "queued", runAfter: { lte: now } },
          { state: "active", lockedUntil: { lt: now } },
        ],
      };
      const next = await this.db.job.findFirst({ where: ready, orderBy: { createdAt: "asc" } });
      if (!next) return null;
      if (next.state === "active" && next.attempts >= next.maxAttempts) {
        await this.db.job.updateMany({
          where: { id: next.id, state: "active", lockedUntil: next.lockedUntil },
          data: { state: "failed", error: "abandoned: its runner stopped", finishedAt: now, updatedAt: now },
        });
        continue;
      }
      const taken = await this.db.job.updateMany({
        where: { id: next.id, state: next.state, attempts: next.attempts },
        data: {
          state: "active",
          attempts: { increment: 1 },
          lockedUntil: new Date(now.getTime() + heartbeatMs),
          updatedAt: now,
        },
      });
      if (taken.count === 0) continue;
      return {
        id: next.id,
        name,
        payload: JSON.parse(next.payload) as unknown,
        attempt: next.attempts + 1,
        checkpoint: next.progress === null ? null : (JSON.parse(next.progress) as Json),
        createdAt: next.createdAt,
      };
    }
  }

  async progress(id: string, _name: string, value: Json, heartbeatMs: number): Promise<void> {
    const now = this.now();
    await this.db.job.updateMany({
      where: { id, state: "active" },
      data: { progress: JSON.stringify(value), lockedUntil: new Date(now.getTime() + heartbeatMs), updatedAt: now },
    });
  }

  async complete(id: string, _name: string, output: Json): Promise<void> {
    const now = this.now();
    await this.db.job.updateMany({
      where: { id, state: "active" },
      data: {
        state: "done",
        lockedUntil: null,
        finishedAt: now,
        updatedAt: now,
        ...(output === null ? {} : { progress: JSON.stringify(output) }),
      },
    });
  }

  async fail(id: string, _name: string, error: string): Promise<void> {
    const now = this.now();
    const job = await this.db.job.findUnique({ where: { id } });
    if (!job || job.state !== "active") return;
    const retry = job.attempts < job.maxAttempts;
    // The n-th retry waits retryDelay · 2^(n-1) with backoff (30 s, 1 min, 2 min… by default).
    const delay = job.backoff ? job.retryDelayMs * 2 ** Math.min(16, job.attempts - 1) : job.retryDelayMs;
    await this.db.job.updateMany({
      where: { id, state: "active", attempts: job.attempts },
      data: retry
        ? { state: "queued", error, lockedUntil: null, runAfter: new Date(now.getTime() + delay), updatedAt: now }
        : { state: "failed", error, lockedUntil: null, finishedAt: now, updatedAt: now },
    });
  }

  async cancel(id: string): Promise<void> {
    const now = this.now();
    await this.db.job.updateMany({
      where: { id, state: { in: ["queued", "active"] } },
      data: { state: "cancelled", lockedUntil: null, finishedAt: now, updatedAt: now },
    });
  }

  async list(limit: number): Promise<JobView[]> {
    const rows = await this.db.job.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit });
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      key: row.key,
      state: row.state as JobState,
      attempts: row.attempts,
      progress: row.progress === null ? null : (JSON.parse(row.progress) as Json),
      error: row.error,
      createdAt: row.createdAt,
      runAfter: row.runAfter,
      finishedAt: row.finishedAt,
    }));
  }

  /** Nothing to do: an abandoned job is claimable again as soon as its heartbeat has passed. */
  async maintain(): Promise<void> {}

  async close(): Promise<void> {}
}
