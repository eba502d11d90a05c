import "server-only";
// What happens to a recorded push after the answer went out: applied in batches (processAfterAnswer,
// through apply-queue.ts), pending ones retried, and resumed at start-up. The endpoint's deps come from
// lib/services.ts.
import { after } from "next/server";
import { log } from "@/lib/log";
import { services } from "@/lib/services";
import { ApplyQueue } from "./apply-queue";
import type { MessageDeps } from "./endpoint";
import { resumePendingEvents, type ProcessDeps } from "./process";

let queue: ApplyQueue | undefined;

function processDeps(d: MessageDeps): ProcessDeps {
  return { store: d.store, now: d.now };
}

/**
 * Queues a recorded event to be applied once the answer has gone (Next's after()); `delivery`, a template
 * message's delivery report: its msgid, applied to the message with it.
 */
export function processAfterAnswer(d: MessageDeps, eventId: string, delivery: string | null = null): void {
  after(() => (queue ??= new ApplyQueue(d)).enqueue(eventId, delivery));
}

/** Start-up: apply the events a previous process recorded but did not get to apply. */
export async function resumeMessageEvents(): Promise<void> {
  const d = services.messages;
  if (!d) return;
  const applied = await resumePendingEvents(processDeps(d));
  if (applied > 0) log.info("message_events_resumed", { applied });
}
