"use client";
// The whole app's error page in Chinese, in the end user's look (the console has its own, app/admin/error.tsx).
export default function AppError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="flex flex-1 flex-col items-center justify-center gap-4 text-center" data-testid="app-error">
      <h1 className="text-xl font-medium">出错了</h1>
      <p className="text-sm text-neutral-600">页面暂时无法显示，请稍后重试。</p>
      <button
        type="button"
        onClick={reset}
        className="rounded-lg bg-wechat px-6 py-2.5 text-base font-medium text-white active:bg-wechat-dark"
      >
        重试
      </button>
    </section>
  );
}
