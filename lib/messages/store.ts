// Where the message endpoint keeps what it receives: a push's nonce and event, recorded first, then
// applied. Two implementations with the same behaviour and the same tests (messages.test.ts runs on
// both databases), each on a connection or pool of its own beside Prisma's, recording the pushes of one
// turn of the event loop together and applying events a batch per transaction: SQLite with prepared
// statements (sqlite-store.ts), PostgreSQL with node-postgres (pg-store.ts); open-store.ts picks one for
// the database and has the data layer (lib/db/connections.ts) open its connection.

/** After this many failed attempts an event is marked failed and left for an operator. */
export const MAX_ATTEMPTS = 5;
export const QR_PREFIX = "qrscene_";

/** sha256 of timestamp|nonce|signature, kept until the timestamp window has passed. */
export interface NonceRow {
  readonly key: string;
  readonly expiresAt: Date;
}

export interface EventRow {
  readonly dedupeKey: string;
  readonly openid: string;
  readonly msgType: string;
  readonly event: string | null;
  readonly eventKey: string | null;
  readonly content: string | null;
  readonly payload: string;
  /** WeChat's CreateTime. */
  readonly createdAt: Date;
  readonly receivedAt: Date;
  /** The passive reply's XML; null answers "success". */
  readonly reply: string | null;
}

/**
 * "recorded": this request recorded the event. "duplicate": a retry of a recorded event, with the first
 * reply. "replayed": the nonce was used by another message (a captured signed query with a new body).
 */
export type RecordResult =
  | { readonly kind: "recorded"; readonly id: string }
  | { readonly kind: "duplicate"; readonly id: string; readonly reply: string | null }
  | { readonly kind: "replayed" };

export type ProcessResult = "done" | "skipped" | "failed" | "retry";
export interface Applied {
  readonly result: ProcessResult;
  readonly error?: unknown;
}
export interface PendingRow {
  readonly id: string;
  readonly receivedAt: Date;
}

export interface MessageStore {
  record(nonce: NonceRow, event: EventRow): Promise<RecordResult>;
  /**
   * Applies recorded events: the person found or created by (appid, openid), the subscription change of
   * a subscribe/unsubscribe (only if no newer one was applied), the event moved from pending to done.
   * Each event is applied once whoever tries; a failure is counted on the event, never thrown.
   */
  apply(ids: readonly string[], now: Date): Promise<Applied[]>;
  /** Pending events received before `before`, oldest first, after the keyset position `after`. */
  pending(before: Date, limit: number, after?: PendingRow): Promise<PendingRow[]>;
  close(): Promise<void>;
}

export interface PushToRecord {
  readonly nonce: NonceRow;
  readonly event: EventRow;
}

/**
 * Group commit: the pushes recorded during one turn of the event loop are handed to `write` together (at
 * most `max` at a time), which returns each push's outcome in order. A write is all or nothing, so when
 * a batch fails its pushes are written again one by one: each keeps its own outcome, and one push the
 * database refuses does not fail the others.
 */
export class RecordBatcher {
  #queue: Array<PushToRecord & { resolve: (r: RecordResult) => void; reject: (err: unknown) => void }> = [];
  #scheduled = false;

  constructor(
    private readonly write: (batch: readonly PushToRecord[]) => Promise<readonly RecordResult[]>,
    private readonly max = 256,
  ) {}

  record(nonce: NonceRow, event: EventRow): Promise<RecordResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ nonce, event, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0, this.max);
    if (this.#queue.length > 0) setImmediate(() => void this.#flush());
    else this.#scheduled = false;
    try {
      const results = await this.write(batch);
      batch.forEach((item, i) => item.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      for (const item of batch) {
        try {
          item.resolve((await this.write([item]))[0]!);
        } catch (own) {
          item.reject(own);
        }
      }
    }
  }
}
