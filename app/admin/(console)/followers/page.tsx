// /admin/followers: the follower sync. Start (or resume) it and watch its live progress; the same sync
// runs from the terminal with `npm run wechat:sync-followers`.
import { Term } from "@/app/admin/term";
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
      <p className="text-sm text-neutral-600" data-testid="sync-intro">
        从微信
        <Term tip="按微信接口每次取 10,000 个关注者的 openid，再每批 100 人获取资料（user/get、user/info/batchget）。">
          取回公众号的全部关注者
        </Term>
        ，与网页登录的用户合并为同一份用户名单；已取消关注的人标记为“未关注”。同步中断后，再次点击会从中断处继续。
      </p>
      <SyncPanel initial={status.followers} canSync={staff.role === "admin"} />
    </div>
  );
}
