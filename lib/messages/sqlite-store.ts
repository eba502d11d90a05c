// The message endpoint's hot path on SQLite, on a connection of its own (better-sqlite3, made by
// lib/db/connections.ts; statements prepared once):
// recording pushes and applying them. Prisma costs about 1 ms of CPU a statement here (query building,
// its client runtime, statements prepared again each time), which capped the endpoint near 300 pushes/s
// on 2 cores; these statements cost microseconds.
//
// Group commit: every push recorded in the same turn of the event loop goes into one transaction (one
// fsync); a retry's unique violation undoes that one statement only. Events are applied the same way, a
// batch per transaction, each event in a savepoint of its own.
//
// Never blocking the event loop: better-sqlite3 is synchronous, and a write that waits for another
// connection's lock (Prisma's, inside an interactive transaction across awaits, or another process)
// would block the very event loop that connection needs to finish. So busy_timeout is 0: a busy database
// is retried after a short asynchronous pause, and a transaction here never spans an await.
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { isBusy, retryWhileBusy, sqliteTime } from "@/lib/db/sqlite-busy";
import {
  MAX_ATTEMPTS,
  QR_PREFIX,
  type Applied,
  type EventRow,
  type MessageStore,
  type NonceRow,
  type PendingRow,
  type RecordResult,
  RecordBatcher,
  type PushToRecord,
} from "./store";

/** At most this many pushes or events in one transaction. */
const MAX_BATCH = 256;

const isConstraint = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
};

interface EventState {
  openid: string;
  msgType: string;
  event: string | null;
  eventKey: string | null;
  createdAt: string;
  status: string;
}

export class SqliteMessageStore implements MessageStore {
  readonly #db: Database.Database;
  readonly #appId: string;
  readonly #batcher = new RecordBatcher((batch) => retryWhileBusy(() => this.#recordBatch.immediate(batch)), MAX_BATCH);

  readonly #insertNonce;
  readonly #insertEvent;
  readonly #eventByKey;
  readonly #eventState;
  readonly #identity;
  readonly #insertUser;
  readonly #insertIdentity;
  readonly #subscribe;
  readonly #unsubscribe;
  readonly #claim;
  readonly #countFailure;
  readonly #pendingIds;
  readonly #recordBatch;
  readonly #applyOne;
  readonly #applyBatch;

  /** `connection`: the store's own, with busy_timeout 0 and foreign keys on (openSqlite). */
  constructor(connection: Database.Database, appId: string) {
    this.#appId = appId;
    this.#db = connection;
    const db = this.#db;
    this.#insertNonce = db.prepare(`INSERT INTO "PushNonce" ("key", "expiresAt") VALUES (?, ?)`);
    this.#insertEvent = db.prepare(
      `INSERT INTO "WeChatEvent" ("id", "dedupeKey", "openid", "msgType", "event", "eventKey", "content", "payload", "createdAt", "receivedAt", "reply", "status", "attempts")
       VALUES (@id, @dedupeKey, @openid, @msgType, @event, @eventKey, @content, @payload, @createdAt, @receivedAt, @reply, 'pending', 0)`,
    );
    this.#eventByKey = db.prepare<[string], { id: string; reply: string | null }>(
      `SELECT "id", "reply" FROM "WeChatEvent" WHERE "dedupeKey" = ?`,
    );
    this.#eventState = db.prepare<[string], EventState>(
      `SELECT "openid", "msgType", "event", "eventKey", "createdAt", "status" FROM "WeChatEvent" WHERE "id" = ?`,
    );
    this.#identity = db.prepare<[string, string], { userId: string }>(
      `SELECT "userId" FROM "Identity" WHERE "appid" = ? AND "openid" = ?`,
    );
    // A person first seen through a push: created and last "seen" now, as findOrCreatePersonByOpenid
    // (lib/users.ts) does through Prisma; the other columns take the schema's defaults.
    this.#insertUser = db.prepare(
      `INSERT INTO "User" ("id", "createdAt", "updatedAt", "lastLoginAt") VALUES (@id, @now, @now, @now)`,
    );
    this.#insertIdentity = db.prepare(
      `INSERT INTO "Identity" ("id", "appid", "openid", "userId", "createdAt", "lastLoginAt") VALUES (@id, @appid, @openid, @userId, @now, @now)`,
    );
    // Applied only if no newer subscribe or unsubscribe was (pushes arrive out of order: a retry of an
    // old subscribe after the unsubscribe), so applying twice is harmless.
    const notNewer = `("subscribedAt" IS NULL OR "subscribedAt" <= @at) AND ("unsubscribedAt" IS NULL OR "unsubscribedAt" <= @at)`;
    this.#subscribe = db.prepare(
      `UPDATE "User" SET "subscribed" = 1, "subscribedAt" = @at, "subscribeScene" = @scene, "qrScene" = @qr, "updatedAt" = @now
       WHERE "id" = @userId AND ${notNewer}`,
    );
    this.#unsubscribe = db.prepare(
      `UPDATE "User" SET "subscribed" = 0, "unsubscribedAt" = @at, "updatedAt" = @now WHERE "id" = @userId AND ${notNewer}`,
    );
    this.#claim = db.prepare(
      `UPDATE "WeChatEvent" SET "status" = 'done', "processedAt" = @now, "attempts" = "attempts" + 1, "error" = NULL, "userId" = @userId
       WHERE "id" = @id AND "status" = 'pending'`,
    );
    this.#countFailure = db.prepare(
      `UPDATE "WeChatEvent" SET "attempts" = "attempts" + 1, "error" = @error,
       "status" = CASE WHEN "attempts" + 1 >= ${MAX_ATTEMPTS} THEN 'failed' ELSE 'pending' END
       WHERE "id" = @id AND "status" = 'pending' RETURNING "status"`,
    );
    this.#pendingIds = db.prepare<[string, string, string, string, number], { id: string; receivedAt: string }>(
      `SELECT "id", "receivedAt" FROM "WeChatEvent" WHERE "status" = 'pending' AND "receivedAt" < ?
       AND ("receivedAt" > ? OR ("receivedAt" = ? AND "id" > ?)) ORDER BY "receivedAt", "id" LIMIT ?`,
    );

    // A failed INSERT undoes only itself (SQLite's statement-level ABORT); the transaction goes on. The
    // nonce stays used even when the event turns out to be a retry's: that signed query has been used,
    // and must not carry another message later.
    this.#recordBatch = db.transaction((batch: readonly PushToRecord[]): RecordResult[] =>
      batch.map(({ nonce, event }): RecordResult => {
        let nonceTaken = false;
        try {
          this.#insertNonce.run(nonce.key, sqliteTime(nonce.expiresAt));
        } catch (err) {
          if (!isConstraint(err)) throw err;
          nonceTaken = true;
        }
        if (!nonceTaken) {
          const id = randomUUID();
          try {
            this.#insertEvent.run({
              ...event,
              id,
              createdAt: sqliteTime(event.createdAt),
              receivedAt: sqliteTime(event.receivedAt),
            });
            return { kind: "recorded", id };
          } catch (err) {
            if (!isConstraint(err)) throw err;
          }
        }
        // A retry (the event exists), or the nonce taken by another message: a captured query.
        const first = this.#eventByKey.get(event.dedupeKey);
        return first ? { kind: "duplicate", id: first.id, reply: first.reply } : { kind: "replayed" };
      }),
    );
    this.#applyOne = db.transaction((id: string, at: Date): "done" | "skipped" => {
      const now = sqliteTime(at);
      const e = this.#eventState.get(id);
      if (!e || e.status !== "pending") return "skipped";
      const userId = this.#personFor(e.openid, now);
      if (e.msgType === "event" && e.event === "unsubscribe") {
        this.#unsubscribe.run({ userId, at: e.createdAt, now });
      } else if (e.msgType === "event" && e.event === "subscribe") {
        const key = e.eventKey ?? "";
        const qr = key.startsWith(QR_PREFIX) ? key.slice(QR_PREFIX.length) : null;
        // A subscribe push says only whether it came through a QR code; the follower sync fills the rest.
        this.#subscribe.run({ userId, at: e.createdAt, now, scene: qr !== null ? "ADD_SCENE_QR_CODE" : null, qr });
      }
      return this.#claim.run({ id, userId, now }).changes > 0 ? "done" : "skipped";
    });
    this.#applyBatch = db.transaction((ids: readonly string[], now: Date) =>
      ids.map((id): Applied => {
        try {
          return { result: this.#applyOne(id, now) };
        } catch (err) {
          if (isBusy(err)) throw err;
          const message = err instanceof Error ? err.message : String(err);
          const row = this.#countFailure.get({ id, error: message.slice(0, 500) }) as { status: string } | undefined;
          return { result: row?.status === "failed" ? "failed" : "retry", error: err };
        }
      }),
    );
  }

  #personFor(openid: string, now: string): string {
    const found = this.#identity.get(this.#appId, openid);
    if (found) return found.userId;
    const userId = randomUUID();
    this.#insertUser.run({ id: userId, now });
    this.#insertIdentity.run({ id: randomUUID(), appid: this.#appId, openid, userId, now });
    return userId;
  }

  /**
   * Records a push's nonce and event in this turn's transaction. "duplicate": the event
   * was recorded before (a retry), with its reply; "replayed": the nonce was used by another message.
   */
  record(nonce: NonceRow, event: EventRow): Promise<RecordResult> {
    return this.#batcher.record(nonce, event);
  }

  /** Applies recorded events, one transaction for all; each is applied once whoever tries. */
  async apply(ids: readonly string[], now: Date): Promise<Applied[]> {
    const out: Applied[] = [];
    for (let i = 0; i < ids.length; i += MAX_BATCH) {
      const chunk = ids.slice(i, i + MAX_BATCH);
      out.push(...(await retryWhileBusy(() => this.#applyBatch.immediate(chunk, now))));
    }
    return out;
  }

  /** Pending events received before `before`, oldest first, after the keyset position `after`. */
  async pending(before: Date, limit: number, after?: PendingRow): Promise<PendingRow[]> {
    const from = after ? sqliteTime(after.receivedAt) : "";
    return retryWhileBusy(() =>
      this.#pendingIds
        .all(sqliteTime(before), from, from, after?.id ?? "", limit)
        .map((row) => ({ id: row.id, receivedAt: new Date(row.receivedAt) })),
    );
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
