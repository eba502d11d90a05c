// The person's messages from the account on their page: a template message (pick, fill, preview, send),
// a customer service reply while the 48-hour window since their last message or event is open, and what
// was sent to them with each message's delivery status.
import { currentStaff } from "@/lib/admin/guard";
import { formatShanghai } from "@/lib/admin/user-detail";
import { services } from "@/lib/services";
import { listOutbound, replyWindow, type OutboundView } from "@/lib/templates/send";
import { listTemplates } from "@/lib/templates/templates";
import { ReplyBox, SendTemplateForm } from "./message-controls";

export const STATUS_LABEL: Record<OutboundView["status"], string> = {
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

export async function Messages({ userId, hasOpenid }: { userId: string; hasOpenid: boolean }) {
  const [staff, sent, window, { templates }] = await Promise.all([
    currentStaff(),
    listOutbound(services.db, userId),
    replyWindow(services.templates, userId),
    listTemplates(services.templates),
  ]);
  const titles = new Map(templates.map((t) => [t.templateId, t.title]));
  const canSend = staff?.role === "admin" && hasOpenid;
  return (
    <section className="rounded-xl bg-white p-5 shadow-sm" data-testid="messages" aria-label="消息">
      <h2 className="mb-3 text-sm font-medium text-neutral-600">消息</h2>
      {canSend ? (
        <div className="grid gap-6 lg:grid-cols-2">
          <SendTemplateForm
            userId={userId}
            templates={templates.map((t) => ({ templateId: t.templateId, title: t.title, fields: t.fields }))}
          />
          <ReplyBox
            userId={userId}
            open={window.open}
            until={window.until ? formatShanghai(new Date(window.until)) : null}
            lastAt={window.lastAt ? formatShanghai(new Date(window.lastAt)) : null}
            repliesLeft={Math.max(0, 20 - window.repliesSince)}
          />
        </div>
      ) : (
        <p className="text-sm text-neutral-500">
          {hasOpenid ? "只读：只有管理员可以发送消息。" : "该用户没有本公众号的 openid，无法发送消息。"}
        </p>
      )}
      <h3 className="mt-6 mb-2 text-sm font-medium text-neutral-600">发出的消息（最近 50 条）</h3>
      {sent.length === 0 ? (
        <p className="text-sm text-neutral-500" data-testid="sent-empty">
          还没有给该用户发过消息。
        </p>
      ) : (
        <ol className="divide-y divide-neutral-100 text-sm">
          {sent.map((m) => (
            <li
              key={m.id}
              className="flex flex-wrap gap-x-4 gap-y-1 py-2"
              data-testid="sent-message"
              data-status={m.status}
            >
              <span className="w-40 shrink-0 text-neutral-500">{formatShanghai(new Date(m.createdAt))}</span>
              <span className="w-24 shrink-0 font-medium">{m.kind === "text" ? "客服回复" : "模板消息"}</span>
              <span className="min-w-0 flex-1 break-all" data-testid="sent-detail">
                {m.kind === "text" ? m.content : (titles.get(m.templateId ?? "") ?? m.templateId)}
                {m.error && <span className="block text-xs text-neutral-500">{m.error}</span>}
              </span>
              <span
                className={`shrink-0 self-start rounded px-2 py-0.5 text-xs ${STATUS_CLASS[m.status]}`}
                data-testid="sent-status"
              >
                {STATUS_LABEL[m.status]}
                {m.errcode ? `（${m.errcode}）` : ""}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
