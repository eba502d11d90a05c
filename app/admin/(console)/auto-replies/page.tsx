// /admin/auto-replies (自动回复): the reply to a new follower and the keyword replies, sent as passive
// replies by the message endpoint (encrypted when the push was). Viewers read; admins edit (the API
// routes under /api/admin/auto-replies check the role).
import { requireStaffPage } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { AUTO_REPLY_CACHE_MS, listAutoReplies } from "@/lib/messages/auto-replies";
import { AutoReplyEditor } from "./editor";

export const dynamic = "force-dynamic";

export default async function AutoRepliesPage() {
  const staff = await requireStaffPage();
  const rules = await listAutoReplies(services.db);
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-xl font-semibold">自动回复</h1>
        <p className="mt-1 text-sm text-neutral-500">
          粉丝关注公众号，或发来（点击菜单发出）关键词时，公众号自动回复的文字。修改后本实例立即生效，其他实例最多{" "}
          {AUTO_REPLY_CACHE_MS / 1000} 秒内生效。
        </p>
      </div>
      <AutoReplyEditor
        canEdit={staff.role === "admin"}
        rules={rules.map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString() }))}
      />
    </div>
  );
}
