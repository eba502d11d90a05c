// Retention as a scheduled job (lib/jobs): rows that only grow are deleted once past their use.
// Expired login states an hour (RETAIN_LOGIN_STATE_SECONDS) after they expired; replay-guard nonces of
// pushes once past their window (RETAIN_PUSH_NONCE_SECONDS after it); finished jobs of the SQLite runner
// after a week (RETAIN_JOBS_SECONDS; pg-boss archives its own); staff sign-in attempts and token fetch
// logs after 30 days, handled pushes after 90 (pending ones stay until applied). What the console shows
// stays right: its counts are of today (token card) or live on the person (subscribe source, tags), and
// a person's timeline shows the pushes still kept. The periods come from lib/env.ts.
import { z } from "zod";
import { yieldToEventLoop, type Db } from "@/lib/db";
import { defineJob, type JobDefinition } from "@/lib/jobs/types";

export const RETENTION_JOB = "retention";
/** Rows deleted per statement (under SQLite's bound parameters), and batches per run: a backlog goes over several runs. */
const BATCH = 500;
const MAX_BATCHES = 200;

export interface RetentionDeps {
  readonly db: Db;
  readonly now: () => Date;
  readonly RETAIN_LOGIN_STATE_SECONDS: number;
  readonly RETAIN_PUSH_NONCE_SECONDS: number;
  readonly RETAIN_JOBS_SECONDS: number;
  readonly RETAIN_SIGNIN_ATTEMPT_SECONDS: number;
  readonly RETAIN_CREDENTIAL_FETCH_SECONDS: number;
  readonly RETAIN_EVENT_SECONDS: number;
  readonly RETENTION_EVERY_SECONDS: number;
}

export interface RetentionResult {
  readonly loginStates: number;
  readonly qrLogins: number;
  readonly pushNonces: number;
  readonly jobs: number;
  readonly signInAttempts: number;
  readonly credentialFetches: number;
  readonly events: number;
}

/** Deletes in batches of ids (`find` gives the next batch) until none is left or the run's share is done. */
async function inBatches(find: () => Promise<{ id: string }[]>, remove: (ids: string[]) => Promise<unknown>) {
  let deleted = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const ids = (await find()).map((row) => row.id);
    if (ids.length === 0) break;
    await remove(ids);
    deleted += ids.length;
    if (ids.length < BATCH) break;
    await yieldToEventLoop();
  }
  return deleted;
}

/** Deletes what is past its retention; returns how many rows of each. */
export async function applyRetention(deps: RetentionDeps): Promise<RetentionResult> {
  const { db } = deps;
  const now = deps.now().getTime();
  const before = (seconds: number) => new Date(now - seconds * 1000);
  const loginStates = await db.loginState.deleteMany({
    where: { expiresAt: { lt: before(deps.RETAIN_LOGIN_STATE_SECONDS) } },
  });
  // 扫码登录 codes live minutes; they go with the login states, an hour after they expire.
  const qrLogins = await db.qrLogin.deleteMany({
    where: { expiresAt: { lt: before(deps.RETAIN_LOGIN_STATE_SECONDS) } },
  });
  const pushNonces = await db.pushNonce.deleteMany({
    where: { expiresAt: { lt: before(deps.RETAIN_PUSH_NONCE_SECONDS) } },
  });
  const jobs = await db.job.deleteMany({
    where: { state: { in: ["done", "failed", "cancelled"] }, finishedAt: { lt: before(deps.RETAIN_JOBS_SECONDS) } },
  });
  const attemptsBefore = before(deps.RETAIN_SIGNIN_ATTEMPT_SECONDS);
  const signInAttempts = await inBatches(
    () =>
      db.signInAttempt.findMany({ where: { createdAt: { lt: attemptsBefore } }, select: { id: true }, take: BATCH }),
    (ids) => db.signInAttempt.deleteMany({ where: { id: { in: ids } } }),
  );
  const fetchesBefore = before(deps.RETAIN_CREDENTIAL_FETCH_SECONDS);
  const credentialFetches = await inBatches(
    () =>
      db.credentialFetch.findMany({ where: { createdAt: { lt: fetchesBefore } }, select: { id: true }, take: BATCH }),
    (ids) => db.credentialFetch.deleteMany({ where: { id: { in: ids } } }),
  );
  const eventsBefore = before(deps.RETAIN_EVENT_SECONDS);
  // A scan through a channel QR code (subscribe or SCAN with an EventKey) is that code's record: kept.
  const handled = {
    status: { in: ["done", "failed"] },
    receivedAt: { lt: eventsBefore },
    OR: [{ event: null }, { event: { notIn: ["subscribe", "SCAN"] } }, { eventKey: null }, { eventKey: "" }],
  };
  const events = await inBatches(
    () => db.weChatEvent.findMany({ where: handled, select: { id: true }, take: BATCH }),
    (ids) => db.weChatEvent.deleteMany({ where: { id: { in: ids } } }),
  );
  return {
    loginStates: loginStates.count,
    qrLogins: qrLogins.count,
    pushNonces: pushNonces.count,
    jobs: jobs.count,
    signInAttempts,
    credentialFetches,
    events,
  };
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
