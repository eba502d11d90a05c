// Retention as a scheduled job (lib/jobs): rows that only grow are deleted once past their use.
// Expired login states an hour (RETAIN_LOGIN_STATE_SECONDS) after they expired; replay-guard nonces of
// pushes once past their window (RETAIN_PUSH_NONCE_SECONDS after it); finished jobs of the SQLite runner
// after a week (RETAIN_JOBS_SECONDS; pg-boss archives its own). The periods come from lib/env.ts.
import { z } from "zod";
import type { Db } from "@/lib/db";
import { defineJob, type JobDefinition } from "@/lib/jobs/types";

export const RETENTION_JOB = "retention";

export interface RetentionDeps {
  readonly db: Db;
  readonly now: () => Date;
  readonly RETAIN_LOGIN_STATE_SECONDS: number;
  readonly RETAIN_PUSH_NONCE_SECONDS: number;
  readonly RETAIN_JOBS_SECONDS: number;
  readonly RETENTION_EVERY_SECONDS: number;
}

export interface RetentionResult {
  readonly loginStates: number;
  readonly pushNonces: number;
  readonly jobs: number;
}

/** Deletes what is past its retention; returns how many rows of each. */
export async function applyRetention(deps: RetentionDeps): Promise<RetentionResult> {
  const now = deps.now().getTime();
  const before = (seconds: number) => new Date(now - seconds * 1000);
  const loginStates = await deps.db.loginState.deleteMany({
    where: { expiresAt: { lt: before(deps.RETAIN_LOGIN_STATE_SECONDS) } },
  });
  const pushNonces = await deps.db.pushNonce.deleteMany({
    where: { expiresAt: { lt: before(deps.RETAIN_PUSH_NONCE_SECONDS) } },
  });
  const jobs = await deps.db.job.deleteMany({
    where: { state: { in: ["done", "failed", "cancelled"] }, finishedAt: { lt: before(deps.RETAIN_JOBS_SECONDS) } },
  });
  return { loginStates: loginStates.count, pushNonces: pushNonces.count, jobs: jobs.count };
}

export function retentionJob(deps: RetentionDeps): JobDefinition<Record<string, never>> {
  return defineJob({
    name: RETENTION_JOB,
    payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
    attempts: 1,
    every: { seconds: deps.RETENTION_EVERY_SECONDS, payload: {} },
    run: async () => ({ ...(await applyRetention(deps)) }),
  });
}
