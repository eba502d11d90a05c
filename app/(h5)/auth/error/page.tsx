import Link from "next/link";
import { APP_ERRORS, type AppErrorCode } from "@/lib/errors";
import { loginPath } from "@/lib/auth/login";

export const dynamic = "force-dynamic";

const TITLES: Partial<Record<AppErrorCode, string>> = {
  consent_denied: "你已拒绝授权",
  state_expired: "登录已超时",
  state_invalid: "登录链接已失效",
  wechat_busy: "微信服务繁忙",
  wechat_config: "服务暂不可用",
  login_rate_limited: "请稍后再试",
};

export default async function ErrorPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const raw = typeof params.code === "string" ? params.code : "internal";
  const code: AppErrorCode = raw in APP_ERRORS ? (raw as AppErrorCode) : "internal";
  const errcode = typeof params.errcode === "string" && /^-?\d{1,6}$/.test(params.errcode) ? params.errcode : null;
  return (
    <div className="weui-msg">
      <div className="weui-msg__icon-area">
        <i className="weui-icon-warn weui-icon_msg" aria-hidden="true" />
      </div>
      <div className="weui-msg__text-area">
        <h1 className="weui-msg__title">{TITLES[code] ?? "出了点问题"}</h1>
        <p data-testid="error-message" className="weui-msg__desc">
          {APP_ERRORS[code].message}
        </p>
      </div>
      <div className="weui-msg__opr-area">
        <div className="weui-btn-area">
          <a href={loginPath("snsapi_base", "/me")} data-testid="retry-login" className="weui-btn weui-btn_primary">
            重新登录
          </a>
          <Link href="/" className="weui-btn weui-btn_default">
            返回首页
          </Link>
        </div>
      </div>
      <div className="weui-msg__extra-area">
        <div className="weui-footer">
          <p data-testid="error-code" className="weui-footer__text">
            错误代码：{code}
            {errcode ? ` / 微信 ${errcode}` : ""}
          </p>
        </div>
      </div>
    </div>
  );
}
