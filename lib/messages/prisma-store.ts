// The message store on PostgreSQL, through Prisma's pool: the record (nonce and event) as two raw
// INSERTs in one transaction, the hot path; applying an event with the ORM (a person's creation shares
// findOrCreatePersonByOpenid with the logins). PostgreSQL spends most of an event waiting on round
// trips, so a few are applied at once.
import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db";
import { isLostRace, isRawUniqueViolation, isUniqueViolation } from "@/lib/db-errors";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import {
  MAX_ATTEMPTS,
  QR_PREFIX,
  type Applied,
  type EventRow,
  type MessageStore,
  type NonceRow,
  type PendingRow,
  type RecordResult,
} from "./store";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Events applied at once per process. */
const CONCURRENCY = 4;

interface Facts {
  openid: string;
  msgType: string;
  event: string | null;
  eventKey: string | null;
  createdAt: Date;
}

export class PrismaMessageStore implements MessageStore {
  constructor(
    private readonly db: Db,
    private readonly appId: string,
  ) {}

  async record(nonce: NonceRow, e: EventRow): Promise<RecordResult> {
    const id = randomUUID();
    const { db } = this;
    try {
      // timestamp(3) without time zone holds UTC (as Prisma writes it): the ISO text's "Z" is ignored by the cast.
      await db.$transaction([
        db.$executeRaw`INSERT INTO "PushNonce" ("key", "expiresAt") VALUES (${nonce.key}, ${nonce.expiresAt.toISOString()}::timestamp)`,
        db.$executeRaw`INSERT INTO "WeChatEvent" ("id", "dedupeKey", "openid", "msgType", "event", "eventKey", "content", "payload", "createdAt", "receivedAt", "reply", "status", "attempts")
          VALUES (${id}, ${e.dedupeKey}, ${e.openid}, ${e.msgType}, ${e.event}, ${e.eventKey}, ${e.content}, ${e.payload}, ${e.createdAt.toISOString()}::timestamp, ${e.receivedAt.toISOString()}::timestamp, ${e.reply}, 'pending', 0)`,
      ]);
      return { kind: "recorded", id };
    } catch (err) {
      if (!isUniqueViolation(err) && !isRawUniqueViolation(err)) throw err;
      const first = await db.weChatEvent.findUnique({
        where: { dedupeKey: e.dedupeKey },
        select: { id: true, reply: true },
      });
      return first ? { kind: "duplicate", id: first.id, reply: first.reply } : { kind: "replayed" };
    }
  }

  async apply(ids: readonly string[], now: Date): Promise<Applied[]> {
    const out: Applied[] = new Array(ids.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < ids.length; i = next++) out[i] = await this.#applyWithRetries(ids[i]!, now);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));
    return out;
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

  async close(): Promise<void> {}

  async #applyWithRetries(id: string, now: Date): Promise<Applied> {
    for (let race = 1; ; race++) {
      try {
        return { result: await this.#applyOnce(id, now) };
      } catch (err) {
        if (isLostRace(err) && race < 4) continue;
        const message = err instanceof Error ? err.message : String(err);
        const row = await this.db.weChatEvent
          .findUnique({ where: { id }, select: { attempts: true } })
          .catch(() => null);
        const attempts = (row?.attempts ?? 0) + 1;
        const failed = attempts >= MAX_ATTEMPTS;
        await this.db.weChatEvent
          .updateMany({
            where: { id, status: "pending" },
            data: { attempts, error: message.slice(0, 500), status: failed ? "failed" : "pending" },
          })
          .catch(() => undefined);
        return { result: failed ? "failed" : "retry", error: err };
      }
    }
  }

  /** The person of `openid`: one read when known; a first sighting creates them in a transaction. */
  async #personFor(openid: string, now: Date): Promise<string> {
    const found = await this.db.$queryRaw<Array<{ userId: string }>>`
      SELECT "userId" FROM "Identity" WHERE "appid" = ${this.appId} AND "openid" = ${openid}`;
    if (found[0]) return found[0].userId;
    return this.db.$transaction((tx: Tx) => findOrCreatePersonByOpenid(tx, this.appId, openid, now));
  }

  async #applyOnce(id: string, now: Date): Promise<"done" | "skipped"> {
    const facts: Facts | null = await this.db.weChatEvent.findFirst({
      where: { id, status: "pending" },
      select: { openid: true, msgType: true, event: true, eventKey: true, createdAt: true },
    });
    if (!facts) return "skipped";
    const userId = await this.#personFor(facts.openid, now);
    // The claim moves the event from pending to done; with the subscription change in one transaction.
    const claim = this.db
      .$executeRaw`UPDATE "WeChatEvent" SET "status" = 'done', "processedAt" = ${now.toISOString()}::timestamp,
      "attempts" = "attempts" + 1, "error" = NULL, "userId" = ${userId} WHERE "id" = ${id} AND "status" = 'pending'`;
    const subscription = facts.msgType === "event" && (facts.event === "subscribe" || facts.event === "unsubscribe");
    const claimed = subscription
      ? (await this.db.$transaction([this.#subscriptionUpdate(userId, facts, now), claim]))[1]
      : await claim;
    return claimed > 0 ? "done" : "skipped";
  }

  /** Applies only if no newer subscribe or unsubscribe was (pushes arrive out of order), so twice is harmless. */
  #subscriptionUpdate(userId: string, facts: Facts, now: Date) {
    const at = facts.createdAt;
    const notNewer = {
      AND: [
        { OR: [{ subscribedAt: null }, { subscribedAt: { lte: at } }] },
        { OR: [{ unsubscribedAt: null }, { unsubscribedAt: { lte: at } }] },
      ],
    };
    if (facts.event === "unsubscribe") {
      return this.db.user.updateMany({
        where: { id: userId, ...notNewer },
        data: { subscribed: false, unsubscribedAt: at, updatedAt: now },
      });
    }
    const key = facts.eventKey ?? "";
    const qr = key.startsWith(QR_PREFIX) ? key.slice(QR_PREFIX.length) : null;
    return this.db.user.updateMany({
      where: { id: userId, ...notNewer },
      data: {
        subscribed: true,
        subscribedAt: at,
        // A subscribe push says only whether it came through a QR code; the follower sync fills the rest.
        subscribeScene: qr !== null ? "ADD_SCENE_QR_CODE" : null,
        qrScene: qr,
        updatedAt: now,
      },
    });
  }
}
