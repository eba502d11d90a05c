// The message store on PostgreSQL, on a small pool of its own (node-postgres, opened by
// lib/db/connections.ts): a push's record and an event's application are a few statements that Prisma
// would make about 1 ms of CPU each. As on SQLite,
// the pushes of one turn of the event loop are recorded together, here in ONE statement (a round trip
// and a commit for all of them), and events are applied a batch per transaction.
//
// Timestamps: the columns are timestamp(3) without time zone holding UTC, as Prisma writes them. Values
// go in as ISO text cast to timestamp (the cast ignores the "Z"); none is read back into a JavaScript
// Date here (node-postgres would read them as local time), comparisons stay in SQL.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Db } from "@/lib/db";
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

const MAX_BATCH = 256;

/** A lost race worth running again: unique violation, serialization failure, deadlock. */
const isLostRace = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "23505" || code === "40001" || code === "40P01";
};

interface Claimed {
  id: string;
  openid: string;
  msgType: string;
  event: string | null;
  eventKey: string | null;
}

// One statement records a whole batch. A nonce already used (by a retry of the same message, or by a
// captured query re-used with another message) inserts no event; of several pushes sharing a nonce in
// one batch only the first counts; an event already recorded (a retry with a fresh query) is skipped by
// its unique dedupeKey. The caller then looks up the pushes that recorded nothing.
const RECORD_BATCH = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
    AS t(n, nonce_key, nonce_expires, id, dedupe_key, openid, msg_type, event, event_key, content, payload,
         created_at, received_at, reply)
), nonces AS (
  INSERT INTO "PushNonce" ("key", "expiresAt")
  SELECT nonce_key, nonce_expires::timestamp FROM input
  ON CONFLICT ("key") DO NOTHING RETURNING "key"
), firsts AS (
  SELECT DISTINCT ON (nonce_key) * FROM input WHERE nonce_key IN (SELECT "key" FROM nonces) ORDER BY nonce_key, n
), events AS (
  INSERT INTO "WeChatEvent" ("id", "dedupeKey", "openid", "msgType", "event", "eventKey", "content", "payload",
                             "createdAt", "receivedAt", "reply", "status", "attempts")
  SELECT id, dedupe_key, openid, msg_type, event, event_key, content, payload, created_at::timestamp,
         received_at::timestamp, reply, 'pending', 0
  FROM firsts ORDER BY n
  ON CONFLICT ("dedupeKey") DO NOTHING RETURNING "id"
)
SELECT "id" FROM events`;

export class PgMessageStore implements MessageStore {
  readonly #pool: pg.Pool;
  readonly #batcher = new RecordBatcher((batch) => this.#recordBatch(batch), MAX_BATCH);

  /** `pool`: the store's own (openPgPool); `db` serves the rare reads (the pending list at start-up and once a minute). */
  constructor(
    pool: pg.Pool,
    private readonly db: Db,
    private readonly appId: string,
  ) {
    this.#pool = pool;
  }

  record(nonce: NonceRow, event: EventRow): Promise<RecordResult> {
    return this.#batcher.record(nonce, event);
  }

  async #recordBatch(batch: readonly PushToRecord[]): Promise<RecordResult[]> {
    const ids = batch.map(() => randomUUID());
    const column = <T>(pick: (item: PushToRecord) => T) => batch.map(pick);
    const { rows } = await this.#pool.query<{ id: string }>(RECORD_BATCH, [
      batch.map((_, n) => n),
      column((b) => b.nonce.key),
      column((b) => b.nonce.expiresAt.toISOString()),
      ids,
      column((b) => b.event.dedupeKey),
      column((b) => b.event.openid),
      column((b) => b.event.msgType),
      column((b) => b.event.event),
      column((b) => b.event.eventKey),
      column((b) => b.event.content),
      column((b) => b.event.payload),
      column((b) => b.event.createdAt.toISOString()),
      column((b) => b.event.receivedAt.toISOString()),
      column((b) => b.event.reply),
    ]);
    const recorded = new Set(rows.map((r) => r.id));
    const others = batch.filter((_, i) => !recorded.has(ids[i]!)).map((b) => b.event.dedupeKey);
    // Conflicting inserts waited for the other transaction to commit: its event is visible now.
    const existing = new Map<string, { id: string; reply: string | null }>();
    if (others.length > 0) {
      const found = await this.#pool.query<{ id: string; reply: string | null; dedupeKey: string }>(
        `SELECT "id", "reply", "dedupeKey" FROM "WeChatEvent" WHERE "dedupeKey" = ANY($1::text[])`,
        [others],
      );
      for (const row of found.rows) existing.set(row.dedupeKey, { id: row.id, reply: row.reply });
    }
    return batch.map((b, i): RecordResult => {
      const id = ids[i]!;
      if (recorded.has(id)) return { kind: "recorded", id };
      const first = existing.get(b.event.dedupeKey);
      return first ? { kind: "duplicate", id: first.id, reply: first.reply } : { kind: "replayed" };
    });
  }

  async apply(ids: readonly string[], now: Date): Promise<Applied[]> {
    const out: Applied[] = [];
    for (let i = 0; i < ids.length; i += MAX_BATCH)
      out.push(...(await this.#applyChunk(ids.slice(i, i + MAX_BATCH), now)));
    return out;
  }

  /** One transaction for the chunk; if it fails, each event alone, so that one bad event fails only itself. */
  async #applyChunk(ids: readonly string[], now: Date): Promise<Applied[]> {
    for (let race = 1; ; race++) {
      try {
        const done = await this.#applyTogether(ids, now);
        return ids.map((id) => ({ result: done.has(id) ? "done" : "skipped" }));
      } catch (err) {
        if (ids.length > 1) {
          const out: Applied[] = [];
          for (const id of ids) out.push(...(await this.#applyChunk([id], now)));
          return out;
        }
        if (isLostRace(err) && race < 4) continue;
        return [await this.#countFailure(ids[0]!, err)];
      }
    }
  }

  async #applyTogether(ids: readonly string[], now: Date): Promise<Set<string>> {
    const at = now.toISOString();
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      // The claim first: it locks the events, so another instance applying the same ones waits, then
      // finds them done and skips them.
      const { rows: claimed } = await client.query<Claimed>(
        `UPDATE "WeChatEvent" SET "status" = 'done', "processedAt" = $2::timestamp, "attempts" = "attempts" + 1, "error" = NULL
         WHERE "id" = ANY($1::text[]) AND "status" = 'pending'
         RETURNING "id", "openid", "msgType", "event", "eventKey"`,
        [ids, at],
      );
      if (claimed.length > 0) {
        const people = await this.#people(
          client,
          claimed.map((e) => e.openid),
          at,
        );
        for (const e of claimed) {
          if (e.msgType !== "event" || (e.event !== "subscribe" && e.event !== "unsubscribe")) continue;
          await this.#subscription(client, e, people.get(e.openid)!, at);
        }
        await client.query(
          `UPDATE "WeChatEvent" e SET "userId" = m.user_id FROM unnest($1::text[], $2::text[]) AS m(id, user_id) WHERE e."id" = m.id`,
          [claimed.map((e) => e.id), claimed.map((e) => people.get(e.openid)!)],
        );
      }
      await client.query("COMMIT");
      return new Set(claimed.map((e) => e.id));
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * The person of each openid, created (created and last seen now, as findOrCreatePersonByOpenid in
   * lib/users.ts does) for a first sighting. A login creating the same identity at the same moment wins
   * the (appid, openid) constraint; the person made here for it is removed again.
   */
  async #people(client: pg.PoolClient, openids: string[], at: string): Promise<Map<string, string>> {
    const wanted = [...new Set(openids)];
    const select = () =>
      client.query<{ openid: string; userId: string }>(
        `SELECT "openid", "userId" FROM "Identity" WHERE "appid" = $1 AND "openid" = ANY($2::text[])`,
        [this.appId, wanted],
      );
    const people = new Map((await select()).rows.map((r) => [r.openid, r.userId]));
    const missing = wanted.filter((openid) => !people.has(openid));
    if (missing.length === 0) return people;
    const userIds = missing.map(() => randomUUID());
    await client.query(
      `INSERT INTO "User" ("id", "createdAt", "updatedAt", "lastLoginAt") SELECT id, $2::timestamp, $2::timestamp, $2::timestamp FROM unnest($1::text[]) AS id`,
      [userIds, at],
    );
    const { rows: joined } = await client.query<{ userId: string }>(
      `INSERT INTO "Identity" ("id", "appid", "openid", "userId", "createdAt", "lastLoginAt")
       SELECT m.id, $1, m.openid, m.user_id, $5::timestamp, $5::timestamp FROM unnest($2::text[], $3::text[], $4::text[]) AS m(id, openid, user_id)
       ON CONFLICT ("appid", "openid") DO NOTHING RETURNING "userId"`,
      [this.appId, missing.map(() => randomUUID()), missing, userIds, at],
    );
    if (joined.length < missing.length) {
      const kept = new Set(joined.map((r) => r.userId));
      await client.query(`DELETE FROM "User" WHERE "id" = ANY($1::text[])`, [userIds.filter((id) => !kept.has(id))]);
    }
    return new Map((await select()).rows.map((r) => [r.openid, r.userId]));
  }

  /** Applied only if no newer subscribe or unsubscribe was (pushes arrive out of order), so twice is harmless. */
  async #subscription(client: pg.PoolClient, e: Claimed, userId: string, at: string): Promise<void> {
    const notNewer = `(u."subscribedAt" IS NULL OR u."subscribedAt" <= e."createdAt") AND (u."unsubscribedAt" IS NULL OR u."unsubscribedAt" <= e."createdAt")`;
    if (e.event === "unsubscribe") {
      await client.query(
        `UPDATE "User" u SET "subscribed" = false, "unsubscribedAt" = e."createdAt", "updatedAt" = $3::timestamp
         FROM "WeChatEvent" e WHERE e."id" = $1 AND u."id" = $2 AND ${notNewer}`,
        [e.id, userId, at],
      );
      return;
    }
    const key = e.eventKey ?? "";
    const qr = key.startsWith(QR_PREFIX) ? key.slice(QR_PREFIX.length) : null;
    // A subscribe push says only whether it came through a QR code; the follower sync fills the rest.
    await client.query(
      `UPDATE "User" u SET "subscribed" = true, "subscribedAt" = e."createdAt", "subscribeScene" = $4, "qrScene" = $5, "updatedAt" = $3::timestamp
       FROM "WeChatEvent" e WHERE e."id" = $1 AND u."id" = $2 AND ${notNewer}`,
      [e.id, userId, at, qr !== null ? "ADD_SCENE_QR_CODE" : null, qr],
    );
  }

  async #countFailure(id: string, err: unknown): Promise<Applied> {
    const message = err instanceof Error ? err.message : String(err);
    const { rows } = await this.#pool
      .query<{ status: string }>(
        `UPDATE "WeChatEvent" SET "attempts" = "attempts" + 1, "error" = $2,
         "status" = CASE WHEN "attempts" + 1 >= ${MAX_ATTEMPTS} THEN 'failed' ELSE 'pending' END
         WHERE "id" = $1 AND "status" = 'pending' RETURNING "status"`,
        [id, message.slice(0, 500)],
      )
      .catch(() => ({ rows: [] as Array<{ status: string }> }));
    return { result: rows[0]?.status === "failed" ? "failed" : "retry", error: err };
  }

  async pending(before: Date, limit: number, after?: PendingRow): Promise<PendingRow[]> {
    return this.db.weChatEvent.findMany({
      where: {
        status: "pending",
        receivedAt: { lt: before },
        ...(after
          ? { OR: [{ receivedAt: { gt: after.receivedAt } }, { receivedAt: after.receivedAt, id: { gt: after.id } }] }
          : {}),
      },
      orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
      select: { id: true, receivedAt: true },
      take: limit,
    });
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
