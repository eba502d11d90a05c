import Link from "next/link";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getIronSession } from "iron-session";
import { services } from "@/lib/services";
import { AppError } from "@/lib/errors";
import { getMe, type MeView } from "@/lib/me";
import { endUserSession, sessionOptions, type SessionData } from "@/lib/session";
import { loginPath } from "@/lib/auth/login";
import { Avatar } from "../weui";
import { LogoutButton, LogoutEverywhereButton, RefreshProfileButton, UpgradeLink } from "./actions";
import { WeChatJssdk } from "./jssdk";
import { env } from "@/lib/env";
import { payTrialOffered } from "@/lib/pay/settings";
import { TrialPayButton } from "./trial-pay";

export const dynamic = "force-dynamic";

const SEX = ["未知", "男", "女"];

export default async function MePage() {
  const session = await getIronSession<SessionData>(await cookies(), sessionOptions());
  let me: MeView;
  try {
    me = await getMe(services.auth, endUserSession(session));
  } catch (err) {
    // Not signed in (or the person was merged away): log in silently, then come back here.
    if (err instanceof AppError && err.code === "unauthenticated") redirect(loginPath("snsapi_base", "/me"));
    throw err;
  }
  const hasProfile = me.scope === "snsapi_userinfo";
  const name = me.nickname || "微信用户";
  const place = [me.country, me.province, me.city].filter(Boolean).join(" ");
  const payments = env().pay.mode !== "off";

  return (
    <>
      <div className="weui-cells h5-profile">
        <div className="weui-cell">
          <div className="weui-cell__hd">
            <Avatar src={me.headimgurl} name={name} />
          </div>
          <div className="weui-cell__bd">
            <h1 data-testid="nickname" className="h5-profile__name">
              {name}
            </h1>
            <p className="weui-cell__desc">{hasProfile ? "已授权微信资料" : "已静默登录"}</p>
          </div>
        </div>
      </div>

      {!hasProfile && (
        <>
          <p className="weui-cells__tips">授权后可同步你的微信昵称和头像。</p>
          <div className="h5-upgrade">
            <UpgradeLink href={loginPath("snsapi_userinfo", "/me")}>完善资料</UpgradeLink>
          </div>
        </>
      )}

      <h2 className="weui-cells__title">账号信息</h2>
      <div className="weui-cells">
        <Row label="OpenID" testId="openid" mono>
          {me.openid}
        </Row>
        {me.unionid && (
          <Row label="UnionID" testId="unionid" mono>
            {me.unionid}
          </Row>
        )}
        {hasProfile && (
          <>
            <Row label="性别">{SEX[me.sex ?? 0]}</Row>
            <Row label="地区">{place || "未知"}</Row>
          </>
        )}
        <Row label="注册时间">{formatTime(me.createdAt)}</Row>
        <Row label="最近登录">{formatTime(me.lastLoginAt)}</Row>
      </div>

      <div className="weui-cells">
        {payments && (
          <Link href="/me/orders" className="weui-cell weui-cell_access" data-testid="my-orders">
            <div className="weui-cell__bd">我的订单</div>
            <div className="weui-cell__ft" />
          </Link>
        )}
        <Link href="/me/cards" className="weui-cell weui-cell_access" data-testid="my-cards-link">
          <div className="weui-cell__bd">我的卡券</div>
          <div className="weui-cell__ft" />
        </Link>
      </div>

      <div className="h5-fill" />
      <div className="h5-actions">
        {payTrialOffered(env().pay) && <TrialPayButton />}
        {hasProfile && <RefreshProfileButton />}
        <LogoutButton />
        <LogoutEverywhereButton />
      </div>
      <WeChatJssdk loadScript={!env().usesSimulator} />
    </>
  );
}

function Row({
  label,
  testId,
  mono = false,
  children,
}: {
  label: string;
  testId?: string;
  mono?: boolean;
  children: React.ReactNode;
}) {
  return (
    <div className="weui-cell">
      <div className="weui-cell__hd h5-label">{label}</div>
      <div data-testid={testId} className={`weui-cell__bd h5-value${mono ? " h5-value_mono" : ""}`}>
        {children}
      </div>
    </div>
  );
}

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}
