import { loginPath } from "@/lib/auth/login";

const FEATURES = [
  { title: "静默登录", desc: "进入即识别，无需任何操作", icon: "weui-icon-success-no-circle" },
  { title: "完善资料", desc: "授权后同步你的微信昵称和头像", icon: "weui-icon-info-circle" },
  { title: "安全", desc: "你的登录凭证只保存在服务器，不会发送到浏览器", icon: "weui-icon-safe-success" },
] as const;

export default function Home() {
  return (
    <>
      <header className="h5-hero">
        <div className="h5-logo" aria-hidden="true">
          微
        </div>
        <h1 className="h5-hero__title">微信用户中心</h1>
        <p className="h5-hero__desc">使用微信一键登录，查看和管理你的资料。</p>
      </header>
      <div className="weui-cells">
        {FEATURES.map((feature) => (
          <div key={feature.title} className="weui-cell">
            <div className="weui-cell__hd h5-feature-icon">
              <i className={feature.icon} aria-hidden="true" />
            </div>
            <div className="weui-cell__bd">
              <p>{feature.title}</p>
              <p className="weui-cell__desc">{feature.desc}</p>
            </div>
          </div>
        ))}
      </div>
      <div className="h5-fill" />
      <div className="h5-actions">
        <a href={loginPath("snsapi_base", "/me")} data-testid="login" className="weui-btn weui-btn_primary">
          微信登录
        </a>
      </div>
    </>
  );
}
