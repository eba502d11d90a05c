// First run: with the one-time link from the server's log, create the first admin. Once any staff member
// exists this page does not exist (404), token or not.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { announceSetupIfNeeded, isSetupTokenValid } from "@/lib/admin/setup";
import { services } from "@/lib/services";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "初始化 · 管理后台", robots: { index: false } };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SetupPage({ searchParams }: { searchParams: SearchParams }) {
  // Reading the query first also makes this page dynamic: it must never be prerendered at build time.
  const raw = (await searchParams).token;
  if (!(await announceSetupIfNeeded(services.db))) notFound();
  const token = Array.isArray(raw) ? raw[0] : raw;
  const valid = isSetupTokenValid(token);
  return (
    <div className="flex flex-1 flex-col justify-center gap-6 py-8">
      <header className="text-center">
        <h1 className="text-2xl font-semibold">创建第一个管理员</h1>
        <p className="mt-2 text-sm text-neutral-500">此页面只在尚无任何管理员时可用，链接仅能使用一次。</p>
      </header>
      <section className="rounded-xl bg-white p-5 shadow-sm">
        {valid && token ? (
          <SetupForm token={token} />
        ) : (
          <p role="alert" className="text-sm text-red-700">
            设置链接无效或已过期，请查看服务器日志中的新链接，或在服务器上运行 npm run admin:create。
          </p>
        )}
      </section>
    </div>
  );
}
