// What the admin console asks of the sync: queue the job and let it run on, and read how the latest runs
// are doing (the live bar polls this).
import type { Db } from "@/lib/db";
import type { JobRunner } from "@/lib/jobs/runner";
import { log } from "@/lib/log";
import { DEFAULT_LEASE_TTL_MS, FOLLOWER_SYNC_JOB } from "./sync";

/**
 * Queues the follower sync job and starts running it in this process at once (any instance's runner
 * would otherwise pick it up at its next tick); throws SyncBusyError when one is running.
 */
export async function startSyncInBackground(runner: JobRunner): Promise<{ job: string | null }> {
  await runner.assertFree(FOLLOWER_SYNC_JOB);
  const job = await runner.enqueue(FOLLOWER_SYNC_JOB, {}, { key: "followers" });
  log.info("follower_sync_queued", { job });
  background = runner.drain(FOLLOWER_SYNC_JOB).then(() => {});
  return { job };
}

let background: Promise<void> = Promise.resolve();

/** Settles when the sync this process started last is over (tests and graceful shutdown wait on it). */
export function backgroundSync(): Promise<void> {
  return background;
}

export interface RunStatus {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly total: number | null;
  readonly listed: number;
  readonly upserted: number;
  readonly unsubscribed: number;
  readonly error: string | null;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly finishedAt: string | null;
  /** running, but no sign of life for two lease lengths: its process died; the next sync resumes it */
  readonly stalled: boolean;
  /** 0..100 */
  readonly percent: number;
}

export async function syncStatus(
  db: Db,
  now: Date,
): Promise<{ followers: RunStatus | null; blacklist: RunStatus | null }> {
  const [followers, blacklist] = await Promise.all(
    (["followers", "blacklist"] as const).map((kind) =>
      db.syncRun.findFirst({ where: { kind }, orderBy: { startedAt: "desc" } }),
    ),
  );
  const view = (run: typeof followers): RunStatus | null => {
    if (!run) return null;
    const percent =
      run.status === "done"
        ? 100
        : run.total
          ? Math.min(99, Math.floor((run.upserted / Math.max(run.total, 1)) * 100))
          : 0;
    return {
      id: run.id,
      kind: run.kind,
      status: run.status,
      total: run.total,
      listed: run.listed,
      upserted: run.upserted,
      unsubscribed: run.unsubscribed,
      error: run.error,
      startedAt: run.startedAt.toISOString(),
      heartbeatAt: run.heartbeatAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
      stalled: run.status === "running" && now.getTime() - run.heartbeatAt.getTime() > 2 * DEFAULT_LEASE_TTL_MS,
      percent,
    };
  };
  return { followers: view(followers ?? null), blacklist: view(blacklist ?? null) };
}
