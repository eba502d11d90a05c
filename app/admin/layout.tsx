// The console's page column (sign-in, setup), as the root layout drew it before the end-user pages moved to
// WeUI; the signed-in console pages cover it with their own full-window frame (console-frame.tsx).
export default function AdminLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-dvh bg-[#ededed] text-neutral-900">
      <main className="mx-auto flex min-h-dvh max-w-md flex-col px-4 py-6">{children}</main>
    </div>
  );
}
