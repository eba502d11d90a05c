// A person's timeline on their admin page: what WeChat pushed about them (subscribe, scans, menu
// clicks, links, locations, messages), newest first, with whether we replied.
import { formatShanghai } from "@/lib/admin/user-detail";
import { services } from "@/lib/services";
import { TIMELINE_LIMIT, listTimeline, type TimelineEntry } from "@/lib/messages/timeline";

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
  const entries = await listTimeline(services.db, userId);
  return (
    <section className="rounded-xl bg-white p-5 shadow-sm" data-testid="timeline" aria-label="公众号动态">
      <h2 className="mb-3 text-sm font-medium text-neutral-600">公众号动态（最近 {TIMELINE_LIMIT} 条）</h2>
      {entries.length === 0 ? (
        <p className="text-sm text-neutral-500">还没有收到该用户的消息或事件。</p>
      ) : (
        <ol className="divide-y divide-neutral-100 text-sm">
          {entries.map((entry) => (
            <li
              key={entry.id}
              data-testid="timeline-entry"
              data-event={entry.event ?? entry.msgType}
              className="flex gap-4 py-2"
            >
              <span className="w-40 shrink-0 text-neutral-500">{formatShanghai(entry.createdAt)}</span>
              <span className="w-24 shrink-0 font-medium" data-testid="timeline-label">
                {label(entry)}
              </span>
              <span className="min-w-0 flex-1 break-all" data-testid="timeline-detail">
                {detail(entry)}
              </span>
              {entry.replied && <span className="shrink-0 text-xs text-emerald-700">已自动回复</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
