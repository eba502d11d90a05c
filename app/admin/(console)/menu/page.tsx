// /admin/menu (自定义菜单): the draft in a phone-shaped editor, publishing, import from WeChat, deletion,
// the history with rollback, conditional menus and 预览匹配. Viewers read; admins change (the API routes
// under /api/admin/menu check the role).
import { requireStaffPage } from "@/lib/admin/guard";
import { env } from "@/lib/env";
import { listTags } from "@/lib/followers/tags";
import { getMenu, menuHistory } from "@/lib/menu/menus";
import { listAutoReplies } from "@/lib/messages/auto-replies";
import { services } from "@/lib/services";
import { MenuEditor } from "./editor";

export const dynamic = "force-dynamic";

export default async function MenuPage() {
  const staff = await requireStaffPage();
  const [view, history, tags, rules] = await Promise.all([
    getMenu(services.menus),
    menuHistory(services.menus),
    listTags(services.db),
    listAutoReplies(services.db),
  ]);
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-xl font-semibold">自定义菜单</h1>
        <p className="mt-1 text-sm text-neutral-500">
          在这里编辑草稿，检查无误后“发布”到微信；用户重新进入公众号会话后几分钟内看到新菜单。
        </p>
      </div>
      <MenuEditor
        initial={view}
        initialHistory={history}
        canEdit={staff.role === "admin"}
        appUrl={env().APP_URL}
        ownHosts={services.menus.check.ownHosts}
        keywords={rules.filter((r) => r.kind === "keyword").map((r) => r.keyword)}
        tags={tags.filter((t) => !t.reserved || t.id === 2).map((t) => ({ id: t.id, name: t.name }))}
      />
    </div>
  );
}
