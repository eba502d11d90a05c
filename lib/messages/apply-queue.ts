// What happens to a recorded push once the answer has gone out: it waits here and is applied a batch at a
// time, one drain at a time per process. Under a burst, one transaction for many events instead of one
// each (SQLite has one writer; each commit is an fsync), and one update of the delivery reports' messages
// for many reports. A steady stream (a mass send's reports come at hundreds a second) would otherwise make
// batches of one or two: so a batch not yet full waits `gatherMs` for more first. Events stay recorded
// as pending until applied, so a crash loses nothing: start-up and the scheduled retry (pendingEventsJob)
// apply what is left, and the minute's sweep the delivery reports (lib/templates/delivery.ts).
import { log } from "@/lib/log";
import { applyDeliveries } from "@/lib/templates/delivery";
import { NonceSweeper, type MessageDeps } from "./endpoint";

const BATCH = 256;
/** How long a batch that is not full waits for more (a push's effects are this much later at most). */
export const GATHER_MS = 20;

export class ApplyQueue {
  readonly #queue: Array<{ id: string; delivery: string | null; applied: () => void }> = [];
  #draining = false;
  readonly #sweeper: NonceSweeper;

  constructor(
    private readonly d: Pick<MessageDeps, "db" | "store" | "appId" | "now">,
    private readonly gatherMs = GATHER_MS,
  ) {
    this.#sweeper = new NonceSweeper(d.db);
  }

  /** Resolves once the event's batch has been applied (or has failed and been logged). */
  enqueue(id: string, delivery: string | null): Promise<void> {
    return new Promise((applied) => {
      this.#queue.push({ id, delivery, applied });
      if (this.#draining) return;
      this.#draining = true;
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        if (this.#queue.length < BATCH) await new Promise((resolve) => setTimeout(resolve, this.gatherMs));
        await this.#apply(this.#queue.splice(0, BATCH));
      }
    } finally {
      this.#draining = false;
    }
    // Expired nonces, at most once a minute.
    await this.#sweeper.maybeSweep(this.d.now()).catch(() => 0);
  }

  async #apply(batch: Array<{ id: string; delivery: string | null; applied: () => void }>): Promise<void> {
    const { d } = this;
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
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
