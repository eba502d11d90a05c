import "server-only";
// What happens to a recorded push after the answer went out: applied in batches (processAfterAnswer),
// pending ones retried, and resumed at start-up. The endpoint's deps come from lib/services.ts.
import { after } from "next/server";
import { log } from "@/lib/log";
import { services } from "@/lib/services";
import { NonceSweeper, type MessageDeps } from "./endpoint";
import { resumePendingEvents, type ProcessDeps } from "./process";
import { applyDeliveries } from "@/lib/templates/delivery";
let sweeper: NonceSweeper | undefined;

/**
 * Recorded events wait here for the answer to go out, then are applied a batch at a time, one drain at
 * a time per process: under a burst, one transaction for many events instead of one each (SQLite has one
 * writer; each commit is an fsync). Events stay recorded as pending until applied, so a crash loses
 * nothing: start-up and the scheduled retry (pendingEventsJob) apply what is left.
 */
const queue: Array<{ id: string; delivery: string | null; applied: () => void }> = [];
let draining = false;
const BATCH = 256;

/** Resolves once the event's batch has been applied (or has failed and been logged). */
function enqueue(d: MessageDeps, id: string, delivery: string | null): Promise<void> {
  return new Promise((applied) => {
    queue.push({ id, delivery, applied });
    if (draining) return;
    draining = true;
    setImmediate(() => void drain(d));
  });
}

async function drain(d: MessageDeps): Promise<void> {
  try {
    while (queue.length > 0) {
      const batch = queue.splice(0, BATCH);
      const ids = batch.map((item) => item.id);
      const results = await d.store.apply(ids, d.now()).catch((err: unknown) => {
        // The database away or busy for long: the events stay pending for the periodic retry.
        log.error("message_events_apply_failed", { count: ids.length, cause: errorText(err) });
        return [];
      });
      results.forEach(({ result, error }, i) => {
        if (result === "retry" || result === "failed") {
          log.error("message_event_failed", { eventId: ids[i], result, cause: errorText(error) });
        }
      });
      // Delivery reports, now recorded: applied to their messages (what fails here, the minute's sweep does).
      const msgids = batch.flatMap((item) => (item.delivery ? [item.delivery] : []));
      if (msgids.length > 0)
        await applyDeliveries(d.db, d.appId, msgids).catch((err: unknown) =>
          log.warn("template_deliveries_apply_failed", { count: msgids.length, cause: errorText(err) }),
        );
      for (const item of batch) item.applied();
    }
  } finally {
    draining = false;
  }
  await housekeeping(d);
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Expired nonces swept, at most once a minute. */
async function housekeeping(d: MessageDeps): Promise<void> {
  sweeper ??= new NonceSweeper(d.db);
  await sweeper.maybeSweep(d.now()).catch(() => 0);
}

function processDeps(d: MessageDeps): ProcessDeps {
  return { store: d.store, now: d.now };
}

/**
 * Queues a recorded event to be applied once the answer has gone (Next's after()); `delivery`, a template
 * message's delivery report: its msgid, applied to the message with it.
 */
export function processAfterAnswer(d: MessageDeps, eventId: string, delivery: string | null = null): void {
  after(() => enqueue(d, eventId, delivery));
}

/** Start-up: apply the events a previous process recorded but did not get to apply. */
export async function resumeMessageEvents(): Promise<void> {
  const d = services.messages;
  if (!d) return;
  const applied = await resumePendingEvents(processDeps(d));
  if (applied > 0) log.info("message_events_resumed", { applied });
}
