import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getIronSession } from "iron-session";
import { appDeps } from "@/lib/app";
import { AppError } from "@/lib/errors";
import { getMe, type MeView } from "@/lib/me";
import { sessionOptions, type SessionData } from "@/lib/session";
import { loginPath } from "@/lib/auth/login";
import { Avatar, ButtonLink, Card } from "@/app/ui";
import { LogoutButton, RefreshProfileButton } from "./actions";
import { WeChatJssdk } from "./jssdk";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

const SEX = ["未知", "男", "女"];

export default async function MePage() {
  const session = await getIronSession<SessionData>(await cookies(), sessionOptions());
  let me: MeView;
  try {
    me = await getMe(appDeps(), session.userId);
  } catch (err) {
    // Not signed in (or the person was merged away): log in silently, then come back here.
    if (err instanceof AppError && err.code === "unauthenticated") redirect(loginPath("snsapi_base", "/me"));
    throw err;
  }
  const hasProfile = me.scope === "snsapi_userinfo";
  const name = me.nickname || "微信用户";
  const place = [me.country, me.province, me.city].filter(Boolean).join(" ");

  return (
    <div className="flex flex-1 flex-col gap-4">
      <Card>
        <div className="flex items-center gap-4">
          <Avatar src={me.headimgurl} name={name} />
          <div className="min-w-0">
            <h1 data-testid="nickname" className="truncate text-xl font-semibold">
              {name}
            </h1>
            <p className="mt-1 text-sm text-neutral-500">{hasProfile ? "已授权微信资料" : "已静默登录"}</p>
          </div>
        </div>
      </Card>

      {!hasProfile && (
        <Card>
          <p className="mb-3 text-sm text-neutral-600">授权后可同步你的微信昵称和头像。</p>
          <ButtonLink href={loginPath("snsapi_userinfo", "/me")} testId="upgrade">
            完善资料
          </ButtonLink>
        </Card>
      )}

      <Card>
        <dl className="grid grid-cols-[5rem_1fr] gap-y-2 text-sm">
          <dt className="text-neutral-500">OpenID</dt>
          <dd data-testid="openid" className="break-all font-mono text-xs leading-5">
            {me.openid}
          </dd>
          {me.unionid && (
            <>
              <dt className="text-neutral-500">UnionID</dt>
              <dd data-testid="unionid" className="break-all font-mono text-xs leading-5">
                {me.unionid}
              </dd>
            </>
          )}
          {hasProfile && (
            <>
              <dt className="text-neutral-500">性别</dt>
              <dd>{SEX[me.sex ?? 0]}</dd>
              <dt className="text-neutral-500">地区</dt>
              <dd>{place || "未知"}</dd>
            </>
          )}
          <dt className="text-neutral-500">注册时间</dt>
          <dd>{formatTime(me.createdAt)}</dd>
          <dt className="text-neutral-500">最近登录</dt>
          <dd>{formatTime(me.lastLoginAt)}</dd>
        </dl>
      </Card>

      <div className="mt-auto space-y-3 pb-4">
        {hasProfile && <RefreshProfileButton />}
        <LogoutButton />
      </div>
      <WeChatJssdk loadScript={!env().usesSimulator} />
    </div>
  );
}

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}
