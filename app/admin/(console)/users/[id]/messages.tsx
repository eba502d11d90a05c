// The person's messages from the account on their page: a template message (pick, fill, preview, send)
// and a customer service reply while the 48-hour window since their last message or event is open. What
// was sent shows in their timeline (timeline.tsx) with each message's delivery status.
import { currentStaff } from "@/lib/admin/guard";
import { formatShanghai } from "@/lib/admin/user-detail";
import { services } from "@/lib/services";
import { replyWindow } from "@/lib/templates/send";
import { listTemplates } from "@/lib/templates/templates";
import { ReplyBox, SendTemplateForm } from "./message-controls";

export async function Messages({ userId, hasOpenid }: { userId: string; hasOpenid: boolean }) {
  const [staff, window, { templates }] = await Promise.all([
    currentStaff(),
    replyWindow(services.templates, userId),
    listTemplates(services.templates),
  ]);
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
      <p className="mt-4 text-xs text-neutral-500">发出的消息及其送达状态见下方“公众号动态”。</p>
    </section>
  );
}
