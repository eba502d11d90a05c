// What a recorded push means, applied after the answer: the person (found or created by (appid, openid),
// the way a login joins them), their subscription for subscribe/unsubscribe, and the event on their
// timeline. An event moves from pending to done once, in the transaction that applies its subscription
// change (itself conditional on no newer change, so a second application is a no-op): after(), a
// start-up resume and another instance can all try without harm.
import type { Db } from "@/lib/db";
import type { DatabaseKind } from "@/prisma/database-url";
import { isLostRace } from "@/lib/db-errors";
import { findOrCreatePersonByOpenid } from "@/lib/users";

/** After this many failed attempts an event is marked failed and left for an operator. */
export const MAX_ATTEMPTS = 5;

export interface ProcessDeps {
  readonly db: Db;
  /** The lookup and the claim are raw SQL (hot path), written per dialect. */
  readonly dialect: DatabaseKind;
  readonly appId: string;
  readonly now: () => Date;
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export type ProcessResult = "done" | "skipped" | "failed" | "retry";

const QR_PREFIX = "qrscene_";

/** What processing needs of an event; the endpoint hands it over, a resume reads it. */
export interface EventFacts {
  readonly openid: string;
  readonly msgType: string;
  readonly event: string | null;
  readonly eventKey: string | null;
  /** WeChat's CreateTime. */
  readonly createdAt: Date;
}

/** The person of `openid`: one read when known; a first sighting creates them in a transaction. */
async function personFor(deps: ProcessDeps, openid: string, now: Date): Promise<string> {
  const found = await deps.db.$queryRaw<Array<{ userId: string }>>`
    SELECT "userId" FROM "Identity" WHERE "appid" = ${deps.appId} AND "openid" = ${openid}`;
  if (found[0]) return found[0].userId;
  return deps.db.$transaction((tx: Tx) => findOrCreatePersonByOpenid(tx, deps.appId, openid, now));
}

/**
 * The subscription change of a subscribe/unsubscribe, as one conditional update: it applies only if no
 * newer subscribe or unsubscribe was applied (pushes can arrive out of order: a retry of an old
 * subscribe after the unsubscribe), so applying it twice is harmless.
 */
function subscriptionUpdate(deps: ProcessDeps, userId: string, facts: EventFacts) {
  const at = facts.createdAt;
  const notNewer = {
    AND: [
      { OR: [{ subscribedAt: null }, { subscribedAt: { lte: at } }] },
      { OR: [{ unsubscribedAt: null }, { unsubscribedAt: { lte: at } }] },
    ],
  };
  if (facts.event === "unsubscribe") {
    return deps.db.user.updateMany({
      where: { id: userId, ...notNewer },
      data: { subscribed: false, unsubscribedAt: at },
    });
  }
  const key = facts.eventKey ?? "";
  const qr = key.startsWith(QR_PREFIX) ? key.slice(QR_PREFIX.length) : null;
  return deps.db.user.updateMany({
    where: { id: userId, ...notNewer },
    data: {
      subscribed: true,
      subscribedAt: at,
      // A subscribe push says only whether it came through a QR code; user/info (the follower sync)
      // fills in the other scenes.
      subscribeScene: qr !== null ? "ADD_SCENE_QR_CODE" : null,
      qrScene: qr,
    },
  });
}

async function applyOnce(deps: ProcessDeps, id: string, known?: EventFacts): Promise<"done" | "skipped"> {
  const now = deps.now();
  const facts =
    known ??
    (await deps.db.weChatEvent.findFirst({
      where: { id, status: "pending" },
      select: { openid: true, msgType: true, event: true, eventKey: true, createdAt: true },
    }));
  if (!facts) return "skipped";
  const userId = await personFor(deps, facts.openid, now);
  // The claim moves the event from pending to done; with the subscription change in one transaction.
  const claim =
    deps.dialect === "sqlite"
      ? deps.db
          .$executeRaw`UPDATE "WeChatEvent" SET "status" = 'done', "processedAt" = ${now.toISOString().replace("Z", "+00:00")},
          "attempts" = "attempts" + 1, "error" = NULL, "userId" = ${userId} WHERE "id" = ${id} AND "status" = 'pending'`
      : deps.db.$executeRaw`UPDATE "WeChatEvent" SET "status" = 'done', "processedAt" = ${now.toISOString()}::timestamp,
          "attempts" = "attempts" + 1, "error" = NULL, "userId" = ${userId} WHERE "id" = ${id} AND "status" = 'pending'`;
  const subscription = facts.msgType === "event" && (facts.event === "subscribe" || facts.event === "unsubscribe");
  const claimed = subscription
    ? (await deps.db.$transaction([subscriptionUpdate(deps, userId, facts), claim]))[1]
    : await claim;
  return claimed > 0 ? "done" : "skipped";
}

/** Applies one recorded event. Never throws: a failure is counted on the event (and logged by the caller). */
export async function processEvent(
  deps: ProcessDeps,
  id: string,
  known?: EventFacts,
): Promise<{ result: ProcessResult; error?: unknown }> {
  for (let race = 1; ; race++) {
    try {
      return { result: await applyOnce(deps, id, known) };
    } catch (err) {
      if (isLostRace(err) && race < 4) continue;
      const message = err instanceof Error ? err.message : String(err);
      const row = await deps.db.weChatEvent.findUnique({ where: { id }, select: { attempts: true } }).catch(() => null);
      const attempts = (row?.attempts ?? 0) + 1;
      const failed = attempts >= MAX_ATTEMPTS;
      await deps.db.weChatEvent
        .updateMany({
          where: { id, status: "pending" },
          data: { attempts, error: message.slice(0, 500), status: failed ? "failed" : "pending" },
        })
        .catch(() => undefined);
      return { result: failed ? "failed" : "retry", error: err };
    }
  }
}

/**
 * Applies every pending event, oldest first: run at start-up, so a push recorded just before a crash
 * or a restart is not lost. Returns how many were applied.
 */
export async function resumePendingEvents(
  deps: ProcessDeps,
  batch = 100,
  options: { receivedBefore?: Date } = {},
): Promise<number> {
  let applied = 0;
  let after: { receivedAt: Date; id: string } | undefined;
  for (;;) {
    const pending = await deps.db.weChatEvent.findMany({
      where: {
        status: "pending",
        ...(options.receivedBefore ? { receivedAt: { lt: options.receivedBefore } } : {}),
        ...(after
          ? { OR: [{ receivedAt: { gt: after.receivedAt } }, { receivedAt: after.receivedAt, id: { gt: after.id } }] }
          : {}),
      },
      orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
      select: { id: true, receivedAt: true },
      take: batch,
    });
    if (pending.length === 0) return applied;
    for (const row of pending) {
      if ((await processEvent(deps, row.id)).result === "done") applied++;
    }
    after = pending[pending.length - 1];
  }
}
