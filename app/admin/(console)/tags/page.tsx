// /admin/tags: the account's tags (our mirror of WeChat's), with create, rename and delete for admins.
import { requireStaffPage } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { listTags } from "@/lib/followers/tags";
import { TagManager } from "./tag-manager";

export const dynamic = "force-dynamic";

export default async function TagsPage() {
  const staff = await requireStaffPage();
  const tags = await listTags(services.db);
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-xl font-semibold">标签</h1>
      <p className="text-sm text-neutral-600">
        最多 100 个标签，名称不超过 30 个字节（一个汉字 3 字节）；0/1/2 为微信保留标签，不可修改或删除。每位用户最多 20
        个标签。
      </p>
      <TagManager tags={tags} canEdit={staff.role === "admin"} />
    </div>
  );
}
