// /admin/blacklist: the people on the account's blacklist (keyset pages), unblock, and a sync from WeChat.
import { z } from "zod";
import { LinkButton } from "@/app/admin/back-link";
import { requireStaffPage } from "@/lib/admin/guard";
import { formatShanghai } from "@/lib/admin/user-detail";
import { services } from "@/lib/services";
import { listBlacklisted } from "@/lib/followers/blacklist";
import { BlacklistActions } from "./blacklist-actions";

export const dynamic = "force-dynamic";

const search = z.object({ after: z.string().max(64).optional().catch(undefined) });

export default async function BlacklistPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const staff = await requireStaffPage();
  const { after } = search.parse(await props.searchParams);
  const page = await listBlacklisted(services.db, services.app.appId, { after });
  const canEdit = staff.role === "admin";
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-xl font-semibold">黑名单</h1>
      <p className="text-sm text-neutral-600">
        被拉黑的用户无法接收公众号消息。拉黑或取消拉黑每次最多 20 人（超过时自动分批）；在用户列表中勾选用户即可拉黑。
      </p>
      <BlacklistActions
        rows={page.rows.map((r) => ({ ...r, blacklistedAt: r.blacklistedAt ? formatShanghai(r.blacklistedAt) : "—" }))}
        canEdit={canEdit}
      />
      <div className="flex gap-3">
        {after && (
          <LinkButton href="/admin/blacklist" icon="previous" className="px-0!">
            第一页
          </LinkButton>
        )}
        {page.next && (
          <LinkButton
            href={`/admin/blacklist?after=${encodeURIComponent(page.next)}`}
            icon="next"
            testId="blacklist-next"
            className="px-0!"
          >
            下一页
          </LinkButton>
        )}
      </div>
    </div>
  );
}
