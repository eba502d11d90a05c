// What a recorded push means, applied after the answer (the store does the work, store.ts): the person
// (found or created by (appid, openid), the way a login joins them), their subscription for
// subscribe/unsubscribe, and the event on their timeline. An event moves from pending to done once, in the
// transaction that applies its subscription change (itself conditional on no newer change, so a second
// application is a no-op): the endpoint's queue, a start-up resume and another instance can all try.
import { z } from "zod";
import { defineJob, type JobDefinition } from "@/lib/jobs/types";
import type { Applied, MessageStore, PendingRow } from "./store";

export { MAX_ATTEMPTS, type ProcessResult } from "./store";

export interface ProcessDeps {
  readonly store: MessageStore;
  readonly now: () => Date;
}

/** Applies one recorded event. Never throws for the event's own failure: it is counted on the event. */
export async function processEvent(deps: ProcessDeps, id: string): Promise<Applied> {
  const [applied] = await deps.store.apply([id], deps.now());
  return applied!;
}

/**
 * Applies every pending event, oldest first, a batch at a time: run at start-up, so that a push recorded
 * just before a crash or a restart is not lost, and once a minute for events whose first try failed.
 * Returns how many were applied.
 */
export async function resumePendingEvents(
  deps: ProcessDeps,
  batch = 100,
  options: { receivedBefore?: Date } = {},
): Promise<number> {
  // The end of time both databases can hold and compare (SQLite compares Prisma's ISO text).
  const before = options.receivedBefore ?? new Date("9999-12-31T23:59:59.999Z");
  let applied = 0;
  let after: PendingRow | undefined;
  for (;;) {
    const pending = await deps.store.pending(before, batch, after);
    if (pending.length === 0) return applied;
    const results = await deps.store.apply(
      pending.map((row) => row.id),
      deps.now(),
    );
    applied += results.filter((r) => r.result === "done").length;
    after = pending[pending.length - 1];
  }
}

export const PENDING_EVENTS_JOB = "messages.retry-pending";
const RETRY_EVERY_SECONDS = 60;

/**
 * Events that failed a first time (a deadlock, the database briefly away) tried again once a minute by
 * the clock, not at the next push: those received more than 30 s ago and still pending. `deps` null:
 * the endpoint is off (no WECHAT_TOKEN), nothing to do.
 */
export function pendingEventsJob(deps: () => ProcessDeps | null): JobDefinition<Record<string, never>> {
  return defineJob({
    name: PENDING_EVENTS_JOB,
    payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
    attempts: 1,
    every: { seconds: RETRY_EVERY_SECONDS, payload: {} },
    run: async () => {
      const d = deps();
      if (!d) return { applied: 0 };
      const receivedBefore = new Date(d.now().getTime() - (RETRY_EVERY_SECONDS * 1000) / 2);
      return { applied: await resumePendingEvents(d, 100, { receivedBefore }) };
    },
  });
}
