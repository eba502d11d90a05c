// Delivery reports (TEMPLATESENDJOBFINISH): WeChat says, by msgid, whether a template message reached the
// person (success), was refused by them (failed:user block) or failed. The report is the recorded push
// itself: one WeChatEvent per msgid however often WeChat retries (its dedupe key is the MsgID), with the
// msgid in eventKey and WeChat's Status in content, recorded durably before the answer like any push.
//
// Applying it moves the message that carries that msgid from `sent` on, once (only a `sent` message
// moves). The push can arrive before our own write of the msgid has committed; so both sides apply after
// their own commit: the endpoint once the event is recorded (after the answer), the sender once it has
// written the msgid. The later of the two sees both writes. Anything missed on the way (a process killed
// in between, a busy database) is picked up by the minute's sweep of recent `sent` messages.
import type { Db } from "@/lib/db";
import { log } from "@/lib/log";
import { deliveryDedupeKey } from "@/lib/wechat/message-xml";
import { deliveryStatusOf } from "@/lib/wechat/template";

/** How far back the sweep looks for `sent` messages whose report may have been missed. */
export const SWEEP_WINDOW_MS = 24 * 3600_000;

/** Applies the recorded reports of these msgids to their messages still `sent`; how many moved on. */
export async function applyDeliveries(db: Db, appId: string, msgids: readonly string[]): Promise<number> {
  if (msgids.length === 0) return 0;
  // By the unique dedupe key: an index lookup per msgid whatever the planner knows of the table (on
  // PostgreSQL without fresh statistics a filter on eventKey was a sequential scan, 0.4 s at 160,000 events).
  const reports = await db.weChatEvent.findMany({
    where: { dedupeKey: { in: msgids.map(deliveryDedupeKey) } },
    select: { eventKey: true, content: true, receivedAt: true },
  });
  let moved = 0;
  for (const status of ["delivered", "refused", "failed"] as const) {
    const these = reports.filter((r) => deliveryStatusOf(r.content ?? "") === status);
    if (these.length === 0) continue;
    // One update per status; deliveredAt is when the report came (the latest of the batch is close enough).
    const at = these.reduce((a, r) => (r.receivedAt > a ? r.receivedAt : a), these[0]!.receivedAt);
    const { count } = await db.outboundMessage.updateMany({
      where: { appId, msgid: { in: these.map((r) => r.eventKey!) }, status: "sent" },
      data: { status, deliveredAt: at, ...(status === "refused" ? { error: "对方已拒收公众号的消息。" } : {}) },
    });
    moved += count;
  }
  return moved;
}

/**
 * The sweep: `sent` messages of the last day whose report is recorded but was not applied (the endpoint's
 * step after the answer did not run or failed). A thousand at a time; how many moved on.
 */
export async function sweepDeliveries(db: Db, appId: string, now: Date): Promise<number> {
  let moved = 0;
  let after = "";
  for (;;) {
    const sent = await db.outboundMessage.findMany({
      where: { appId, status: "sent", sentAt: { gte: new Date(now.getTime() - SWEEP_WINDOW_MS) }, id: { gt: after } },
      orderBy: { id: "asc" },
      take: 1000,
      select: { id: true, msgid: true },
    });
    if (sent.length === 0) break;
    moved += await applyDeliveries(
      db,
      appId,
      sent.flatMap((m) => (m.msgid ? [m.msgid] : [])),
    );
    after = sent[sent.length - 1]!.id;
  }
  if (moved > 0) log.warn("template_deliveries_swept", { moved });
  return moved;
}
