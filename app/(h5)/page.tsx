import { Card, ButtonLink } from "@/app/ui";
import { loginPath } from "@/lib/auth/login";

export default function Home() {
  return (
    <div className="flex flex-1 flex-col gap-4">
      <header className="pt-8 pb-4 text-center">
        <div className="mx-auto mb-4 flex h-16 w-16 items-center justify-center rounded-2xl bg-wechat text-3xl text-white">
          微
        </div>
        <h1 className="text-2xl font-semibold">微信用户中心</h1>
        <p className="mt-2 text-sm text-neutral-500">使用微信一键登录，查看和管理你的资料。</p>
      </header>
      <Card>
        <ul className="space-y-2 text-sm text-neutral-600">
          <li>· 静默登录：进入即识别，无需任何操作</li>
          <li>· 完善资料：授权后同步你的微信昵称和头像</li>
          <li>· 你的登录凭证只保存在服务器，不会发送到浏览器</li>
        </ul>
      </Card>
      <div className="mt-auto space-y-3 pb-4">
        <ButtonLink href={loginPath("snsapi_base", "/me")} testId="login">
          微信登录
        </ButtonLink>
      </div>
    </div>
  );
}
