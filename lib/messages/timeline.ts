// A person's timeline on their admin page, newest first: the pushes WeChat sent about them (what they did)
// interleaved with the messages we sent them (template messages and 客服回复, each with its status).
import type { Db } from "@/lib/db";
import { listOutbound, type OutboundView } from "@/lib/templates/send";

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

/** One side of the timeline: the person's pushes, newest first. */
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

export type PersonTimelineEntry =
  | {
      readonly kind: "inbound";
      readonly id: string;
      /** WeChat's CreateTime */
      readonly at: Date;
      readonly push: TimelineEntry;
    }
  | {
      readonly kind: "outbound";
      readonly id: string;
      /** when we made the message (written before the call; a mass send's recipients: when the send was made) */
      readonly at: Date;
      readonly message: OutboundView;
      /** the template's title as last fetched (null: a reply, or a template deleted since) */
      readonly title: string | null;
    };

/**
 * The whole timeline: the newest `limit` pushes and the newest `limit` messages sent (each an indexed
 * range on (userId, createdAt)), merged by time and cut to `limit`. A push and a message at the same
 * instant: the message first (it answers the push; CreateTime has whole seconds only).
 */
export async function listPersonTimeline(
  db: Db,
  userId: string,
  limit = TIMELINE_LIMIT,
): Promise<PersonTimelineEntry[]> {
  const [pushes, sent] = await Promise.all([listTimeline(db, userId, limit), listOutbound(db, userId, limit)]);
  const templateIds = [...new Set(sent.flatMap((m) => (m.kind === "template" && m.templateId ? [m.templateId] : [])))];
  const templates =
    templateIds.length === 0
      ? []
      : await db.messageTemplate.findMany({
          where: { templateId: { in: templateIds } },
          select: { templateId: true, title: true },
        });
  const titles = new Map(templates.map((t) => [t.templateId, t.title]));

  const out: PersonTimelineEntry[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < pushes.length || j < sent.length)) {
    const push = pushes[i];
    const message = sent[j];
    const messageAt = message ? new Date(message.createdAt) : null;
    if (message && messageAt && (!push || messageAt.getTime() >= push.createdAt.getTime())) {
      out.push({
        kind: "outbound",
        id: message.id,
        at: messageAt,
        message,
        title: message.templateId ? (titles.get(message.templateId) ?? null) : null,
      });
      j++;
    } else if (push) {
      out.push({ kind: "inbound", id: push.id, at: push.createdAt, push });
      i++;
    }
  }
  return out;
}
