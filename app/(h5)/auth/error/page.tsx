import { APP_ERRORS, type AppErrorCode } from "@/lib/errors";
import { loginPath } from "@/lib/auth/login";
import { ButtonLink, Card } from "@/app/ui";

export const dynamic = "force-dynamic";

const TITLES: Partial<Record<AppErrorCode, string>> = {
  consent_denied: "你已拒绝授权",
  state_expired: "登录已超时",
  state_invalid: "登录链接已失效",
  wechat_busy: "微信服务繁忙",
  wechat_config: "服务暂不可用",
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
    <div className="flex flex-1 flex-col justify-center gap-4">
      <Card>
        <div className="py-4 text-center">
          <div className="mx-auto mb-4 flex h-14 w-14 items-center justify-center rounded-full bg-amber-100 text-2xl text-amber-600">
            !
          </div>
          <h1 className="text-lg font-semibold">{TITLES[code] ?? "出了点问题"}</h1>
          <p data-testid="error-message" className="mt-2 text-sm text-neutral-600">
            {APP_ERRORS[code].message}
          </p>
          <p data-testid="error-code" className="mt-3 text-xs text-neutral-400">
            错误代码：{code}
            {errcode ? ` / 微信 ${errcode}` : ""}
          </p>
        </div>
      </Card>
      <ButtonLink href={loginPath("snsapi_base", "/me")} testId="retry-login">
        重新登录
      </ButtonLink>
      <ButtonLink href="/" variant="secondary">
        返回首页
      </ButtonLink>
    </div>
  );
}
