// /admin/tags: the account's tags (our mirror of WeChat's), with create, rename and delete for admins.
import { Term } from "@/app/admin/term";
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
        最多 100 个标签，每个名称最多 10 个汉字（或 30 个字母、数字）；
        <Term tip="标签编号 0、1、2 由微信保留">微信自带的标签（如“星标组”）</Term>
        不可修改或删除。每位用户最多 20 个标签。
      </p>
      <TagManager tags={tags} canEdit={staff.role === "admin"} />
    </div>
  );
}
