// A person as a follower of the account: subscription and how they came, tags, remark, blacklist; with
// the controls for admins (each calls WeChat first, see lib/followers/).
import { currentStaff } from "@/lib/admin/guard";
import { formatShanghai } from "@/lib/admin/user-detail";
import { services } from "@/lib/services";
import { getFollowerPanel } from "@/lib/followers/panel";
import { Term } from "@/app/admin/term";
import { BlockToggle, RemarkEditor, TagEditor } from "../../followers/follower-controls";

const SCENES: Record<string, string> = {
  ADD_SCENE_SEARCH: "公众号搜索",
  ADD_SCENE_ACCOUNT_MIGRATION: "公众号迁移",
  ADD_SCENE_PROFILE_CARD: "名片分享",
  ADD_SCENE_QR_CODE: "扫描二维码",
  ADD_SCENE_PROFILE_LINK: "图文页内名称点击",
  ADD_SCENE_PROFILE_ITEM: "图文页右上角菜单",
  ADD_SCENE_PAID: "支付后关注",
  ADD_SCENE_WECHAT_ADVERTISEMENT: "微信广告",
  ADD_SCENE_REPRINT: "他人转载",
  ADD_SCENE_LIVESTREAM: "视频号直播",
  ADD_SCENE_CHANNELS: "视频号",
  ADD_SCENE_OTHERS: "其他",
};

const time = (d: Date | null) => (d ? formatShanghai(d) : "—");

export async function FollowerPanel({ userId }: { userId: string }) {
  const [panel, staff] = await Promise.all([getFollowerPanel(services.db, services.app.appId, userId), currentStaff()]);
  if (!panel) return null;
  const canEdit = staff?.role === "admin" && panel.openid !== null;
  const subscription = panel.subscribed === null ? "未知（尚未同步）" : panel.subscribed ? "已关注" : "已取消关注";
  return (
    <div className="mt-4 border-t border-neutral-100 pt-4" data-testid="follower-panel">
      {/* minmax(0, …) and inputs no wider than their cell: the remark's input must not widen a phone's page. */}
      <dl className="grid grid-cols-[8rem_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm [&_input]:max-w-full [&_select]:max-w-full">
        <dt className="text-neutral-500">关注状态</dt>
        <dd data-testid="follower-subscription" data-subscribed={String(panel.subscribed)}>
          {subscription}
          {panel.subscribed === false && panel.unsubscribedAt && (
            <span className="ml-2 text-xs text-neutral-500">于 {time(panel.unsubscribedAt)}</span>
          )}
        </dd>
        <dt className="text-neutral-500">关注来源</dt>
        <dd data-testid="follower-scene">
          {panel.subscribeScene ? (
            <Term tip={`微信给的关注来源：${panel.subscribeScene}`}>{SCENES[panel.subscribeScene] ?? "其他来源"}</Term>
          ) : (
            "—"
          )}
          {panel.qrScene && <span className="ml-2 text-xs break-all text-neutral-500">渠道标识 {panel.qrScene}</span>}
        </dd>
        <dt className="text-neutral-500">语言</dt>
        <dd>{panel.language ?? "—"}</dd>
        <dt className="text-neutral-500">最近同步</dt>
        <dd data-testid="follower-seen-at">{time(panel.followerSeenAt)}</dd>
        <dt className="text-neutral-500">标签</dt>
        <dd>
          <TagEditor userId={panel.userId} tags={panel.tags} allTags={panel.allTags} canEdit={canEdit} />
        </dd>
        <dt className="text-neutral-500">备注</dt>
        <dd>
          <RemarkEditor userId={panel.userId} remark={panel.remark ?? ""} canEdit={canEdit} />
        </dd>
        <dt className="text-neutral-500">黑名单</dt>
        <dd>
          <BlockToggle
            userId={panel.userId}
            blacklisted={panel.blacklisted}
            since={panel.blacklistedAt ? time(panel.blacklistedAt) : null}
            canEdit={canEdit}
          />
        </dd>
      </dl>
      {panel.openid === null && (
        <p className="mt-3 text-xs text-neutral-500" data-testid="follower-no-openid">
          该用户没有本公众号的 openid（仅通过其他应用登录），无法管理标签、备注和黑名单。
        </p>
      )}
    </div>
  );
}
