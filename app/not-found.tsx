// The whole app's 404 in Chinese, in the end user's look (the console has its own, app/admin/not-found.tsx).
import Link from "next/link";

export default function NotFound() {
  return (
    <section className="flex flex-1 flex-col items-center justify-center gap-4 text-center" data-testid="not-found">
      <p className="text-5xl font-light text-neutral-400" aria-hidden="true">
        404
      </p>
      <h1 className="text-xl font-medium">页面不存在</h1>
      <p className="text-sm text-neutral-600">链接可能有误或已失效，请返回首页重新进入。</p>
      <Link
        href="/"
        className="rounded-lg bg-wechat px-6 py-2.5 text-base font-medium text-white active:bg-wechat-dark"
      >
        返回首页
      </Link>
    </section>
  );
}
