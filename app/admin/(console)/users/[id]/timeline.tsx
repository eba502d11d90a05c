// A person's timeline on their admin page, newest first: what WeChat pushed about them (subscribe, scans,
// menu clicks, links, locations, messages, with whether we replied) and what we sent them (template
// messages and 客服回复, with their delivery status), interleaved by time (lib/messages/timeline.ts).
import { formatShanghai } from "@/lib/admin/user-detail";
import { services } from "@/lib/services";
import { TIMELINE_LIMIT, listPersonTimeline, type TimelineEntry } from "@/lib/messages/timeline";
import type { OutboundView } from "@/lib/templates/send";

const EVENT_LABEL: Record<string, string> = {
  subscribe: "关注",
  unsubscribe: "取消关注",
  SCAN: "扫码",
  CLICK: "点击菜单",
  VIEW: "打开菜单链接",
  LOCATION: "上报位置",
};
const MESSAGE_LABEL: Record<string, string> = {
  text: "文本消息",
  image: "图片消息",
  voice: "语音消息",
  video: "视频消息",
  shortvideo: "小视频",
  location: "位置消息",
  link: "链接消息",
};

const STATUS_LABEL: Record<OutboundView["status"], string> = {
  pending: "发送中",
  sent: "已发送",
  delivered: "已送达",
  refused: "用户拒收",
  failed: "失败",
  skipped: "未发送",
};
const STATUS_CLASS: Record<OutboundView["status"], string> = {
  pending: "bg-neutral-100 text-neutral-600",
  sent: "bg-sky-50 text-sky-800",
  delivered: "bg-emerald-50 text-emerald-800",
  refused: "bg-amber-50 text-amber-800",
  failed: "bg-red-50 text-red-800",
  skipped: "bg-neutral-100 text-neutral-600",
};

// One row: the time, the label (and a sent message's status) side by side, the detail beside them on a
// wide screen and under them on a phone, where fixed columns would leave the detail a few characters wide.
const ROW = "flex flex-wrap items-baseline gap-x-3 gap-y-0.5 py-2 sm:gap-x-4";
const TIME = "shrink-0 text-neutral-500 tabular-nums sm:w-40";
const LABEL = "shrink-0 font-medium sm:w-24";
const DETAIL = "min-w-0 basis-full break-all sm:basis-0 sm:flex-1";

function label(entry: TimelineEntry): string {
  if (entry.msgType === "event") return EVENT_LABEL[entry.event ?? ""] ?? entry.event ?? "事件";
  return MESSAGE_LABEL[entry.msgType] ?? entry.msgType;
}

function detail(entry: TimelineEntry): string {
  if (entry.event === "subscribe" && entry.eventKey?.startsWith("qrscene_"))
    return `扫码关注，场景 ${entry.eventKey.slice(8)}`;
  return [entry.content, entry.eventKey].filter(Boolean).join(" · ") || "—";
}

export async function Timeline({ userId }: { userId: string }) {
  const entries = await listPersonTimeline(services.db, userId);
  return (
    <section className="rounded-xl bg-white p-5 shadow-sm" data-testid="timeline" aria-label="公众号动态">
      <h2 className="mb-3 text-sm font-medium text-neutral-600">公众号动态（最近 {TIMELINE_LIMIT} 条）</h2>
      {entries.length === 0 ? (
        <p className="text-sm text-neutral-500">还没有该用户的消息或事件，也还没有给该用户发过消息。</p>
      ) : (
        <ol className="divide-y divide-neutral-100 text-sm">
          {entries.map((entry) =>
            entry.kind === "inbound" ? (
              <li
                key={`in-${entry.id}`}
                data-testid="timeline-entry"
                data-event={entry.push.event ?? entry.push.msgType}
                className={ROW}
              >
                <span className={TIME}>{formatShanghai(entry.at)}</span>
                <span className={LABEL} data-testid="timeline-label">
                  {label(entry.push)}
                </span>
                <span className={DETAIL} data-testid="timeline-detail">
                  {detail(entry.push)}
                </span>
                {entry.push.replied && <span className="shrink-0 text-xs text-emerald-700">已自动回复</span>}
              </li>
            ) : (
              <SentEntry key={`out-${entry.id}`} at={entry.at} message={entry.message} title={entry.title} />
            ),
          )}
        </ol>
      )}
    </section>
  );
}

/** A message we sent: what it was (the template's title, or the reply's text), its status and why it failed. */
function SentEntry({ at, message: m, title }: { at: Date; message: OutboundView; title: string | null }) {
  return (
    <li className={ROW} data-testid="sent-message" data-status={m.status} data-kind={m.kind}>
      <span className={TIME}>{formatShanghai(at)}</span>
      <span className={`${LABEL} text-emerald-800`}>{m.kind === "text" ? "客服回复" : "模板消息"}</span>
      <span
        className={`shrink-0 rounded px-2 py-0.5 text-xs sm:order-last ${STATUS_CLASS[m.status]}`}
        data-testid="sent-status"
      >
        {STATUS_LABEL[m.status]}
        {m.errcode ? `（${m.errcode}）` : ""}
      </span>
      <span className={DETAIL} data-testid="sent-detail">
        {m.kind === "text" ? m.content : (title ?? m.templateId)}
        {m.error && <span className="block text-xs text-neutral-500">{m.error}</span>}
      </span>
    </li>
  );
}
