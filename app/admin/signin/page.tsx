// Staff sign-in. Open to everyone (proxy.ts lets it through); a signed-in staff member goes straight on.
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeAdminPath } from "@/lib/admin/paths";
import { currentStaff } from "@/lib/admin/guard";
import { announceSetupIfNeeded } from "@/lib/admin/setup";
import { signInErrorMessage, signInSlowedDown } from "@/lib/admin/staff";
import { services } from "@/lib/services";
import { SignInForm } from "./signin-form";

export const metadata: Metadata = { title: "登录 · 管理后台", robots: { index: false } };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const callbackUrl = safeAdminPath(first(query.callbackUrl));
  if (await currentStaff()) redirect(callbackUrl);
  const noStaffYet = await announceSetupIfNeeded(services.db);
  const slowed = await signInSlowedDown(services.db);
  // next-auth's own endpoint (a POST to /api/auth/staff/callback/credentials) comes back here on failure.
  const error = first(query.error);
  const initialError = error
    ? error === "CredentialsSignin"
      ? signInErrorMessage(first(query.code))
      : "登录失败，请重试。"
    : null;
  // After first-run setup (app/admin/setup/actions.ts): say so, with the new admin's email filled in.
  const setupDone = first(query.setup) === "done";
  const setupEmail = setupDone ? (first(query.email) ?? "").slice(0, 254) : "";

  return (
    <div className="mx-auto flex min-h-dvh w-full max-w-md flex-col justify-center gap-6 px-4 py-8">
      <header className="text-center">
        <h1 className="text-2xl font-semibold">管理后台</h1>
        <p className="mt-2 text-sm text-neutral-500">工作人员请使用邮箱和密码登录</p>
      </header>
      {setupDone && (
        <p role="status" data-testid="setup-done" className="rounded-xl bg-emerald-50 p-4 text-sm text-emerald-900">
          管理员已创建，请输入刚才设置的密码登录。
        </p>
      )}
      {slowed && (
        <p role="alert" data-testid="signin-slowed" className="rounded-xl bg-amber-50 p-4 text-sm text-amber-900">
          近期登录失败次数过多，系统已暂时放慢所有人的登录：每 3 秒只验证一次密码。若提示“请稍后再试”，请等几秒再登录。
        </p>
      )}
      <section className="rounded-xl bg-white p-5 shadow-sm">
        <SignInForm callbackUrl={callbackUrl} initialError={initialError} initialEmail={setupEmail} />
      </section>
      {noStaffYet && (
        <section data-testid="no-staff" className="rounded-xl bg-amber-50 p-4 text-sm text-amber-900">
          <p className="font-medium">还没有任何管理员账号。</p>
          <p className="mt-1">请打开服务器日志中的一次性设置链接（1 小时内有效），或在服务器上运行 admin:create。</p>
          {process.env.NODE_ENV !== "production" && (
            // Wrapped, not scrolled: the whole command is visible on a phone (it was clipped at "…--ro").
            <pre
              className="mt-2 rounded bg-amber-100 p-2 text-xs break-all whitespace-pre-wrap"
              data-testid="admin-create-hint"
            >
              npm run admin:create -- --email you@example.com --role admin
            </pre>
          )}
        </section>
      )}
    </div>
  );
}
