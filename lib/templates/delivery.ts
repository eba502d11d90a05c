// Delivery reports (TEMPLATESENDJOBFINISH): WeChat says, by msgid, whether a template message reached the
// person (success), was refused by them (failed:user block) or failed. A report is kept once per msgid
// (DeliveryReport's key), however often WeChat retries the push, and applied to the message that carries
// that msgid. The push can arrive before our own write of the msgid has committed; so both sides apply
// after their own commit (the push after keeping the report, the sender after writing the msgid): the
// later of the two sees both writes. Applying only moves a `sent` message on, so it happens once.
import type { Db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db/errors";
import { deliveryStatusOf } from "@/lib/wechat/template";

/** Keeps WeChat's report of `msgid` (a retried push changes nothing) and applies it. */
export async function recordDelivery(db: Db, appId: string, msgid: string, raw: string, now: Date): Promise<void> {
  try {
    await db.deliveryReport.create({
      data: { appId, msgid, status: deliveryStatusOf(raw), raw: raw.slice(0, 200), receivedAt: now },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  await applyDeliveries(db, appId, [msgid]);
}

/** Applies the kept reports of these msgids to their messages still `sent`; how many moved on. */
export async function applyDeliveries(db: Db, appId: string, msgids: readonly string[]): Promise<number> {
  if (msgids.length === 0) return 0;
  const reports = await db.deliveryReport.findMany({
    where: { appId, msgid: { in: [...msgids] } },
    select: { msgid: true, status: true, receivedAt: true },
  });
  let moved = 0;
  for (const status of ["delivered", "refused", "failed"] as const) {
    const these = reports.filter((r) => r.status === status);
    if (these.length === 0) continue;
    // One update per status; deliveredAt is when the report came (the latest of the batch is close enough).
    const at = these.reduce((a, r) => (r.receivedAt > a ? r.receivedAt : a), these[0]!.receivedAt);
    const { count } = await db.outboundMessage.updateMany({
      where: { appId, msgid: { in: these.map((r) => r.msgid) }, status: "sent" },
      data: { status, deliveredAt: at, ...(status === "refused" ? { error: "对方已拒收公众号的消息。" } : {}) },
    });
    moved += count;
  }
  return moved;
}
