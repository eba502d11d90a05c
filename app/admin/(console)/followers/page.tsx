// /admin/followers: the follower sync. Start (or resume) it and watch its live progress; the same sync
// runs from the terminal with `npm run wechat:sync-followers`.
import { requireStaffPage } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { syncStatus } from "@/lib/followers/console";
import { SyncPanel } from "./sync-panel";

export const dynamic = "force-dynamic";

export default async function FollowersPage() {
  const staff = await requireStaffPage();
  const status = await syncStatus(services.db, new Date());
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-xl font-semibold">粉丝同步</h1>
      <p className="text-sm text-neutral-600">
        从微信拉取全部关注者（每页 10,000 个 openid，详情每批 100
        个），写入与网页登录相同的用户；不再关注的用户标记为“未关注”。 中断的同步会从最近的检查点继续。
      </p>
      <SyncPanel initial={status.followers} canSync={staff.role === "admin"} />
    </div>
  );
}
