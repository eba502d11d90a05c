// A person's timeline on their admin page: the pushes WeChat sent about them, newest first.
import type { Db } from "@/lib/db";

export const TIMELINE_LIMIT = 50;

export interface TimelineEntry {
  readonly id: string;
  readonly msgType: string;
  readonly event: string | null;
  readonly eventKey: string | null;
  readonly content: string | null;
  /** WeChat's CreateTime. */
  readonly createdAt: Date;
  readonly status: string;
  /** The passive reply we sent, as text (null: none). */
  readonly replied: boolean;
}

export async function listTimeline(db: Db, userId: string, limit = TIMELINE_LIMIT): Promise<TimelineEntry[]> {
  const rows = await db.weChatEvent.findMany({
    // Delivery reports belong to the message they report (shown with it), not to what the person did.
    where: { userId, NOT: { msgType: "event", event: "TEMPLATESENDJOBFINISH" } },
    orderBy: [{ createdAt: "desc" }, { receivedAt: "desc" }],
    take: limit,
    select: {
      id: true,
      msgType: true,
      event: true,
      eventKey: true,
      content: true,
      createdAt: true,
      status: true,
      reply: true,
    },
  });
  return rows.map(({ reply, ...row }) => ({ ...row, replied: reply !== null }));
}
