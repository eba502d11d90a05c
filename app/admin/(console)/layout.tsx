// The signed-in shell of every console page: the staff check, the top bar (nav, who is signed in, sign-out).
// Layouts are not re-rendered on client-side navigation between sibling pages, so pages that show data
// should call requireStaffPage() themselves too (it is cached per request: no extra database read).
import type { Metadata } from "next";
import { Suspense } from "react";
import { signOutAction } from "@/app/admin/signin/actions";
import { requireStaffPage } from "@/lib/admin/guard";
import { ConsoleNav, DeniedNotice } from "./nav";

export const metadata: Metadata = { title: "管理后台", robots: { index: false } };

const ROLE_LABEL = { admin: "管理员", viewer: "只读" } as const;

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const staff = await requireStaffPage();
  return (
    // The root layout is a phone-width column for the end user's pages; the console takes the whole window.
    <div className="fixed inset-0 z-10 overflow-y-auto bg-neutral-50 text-neutral-900">
      <header className="sticky top-0 z-10 border-b border-neutral-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <span className="font-semibold">微信用户中心 · 管理后台</span>
          <ConsoleNav />
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="max-w-[14rem] truncate text-neutral-600" data-testid="staff-email">
              {staff.email}
            </span>
            <span
              data-testid="staff-role"
              data-role={staff.role}
              className={`rounded px-2 py-0.5 text-xs ${staff.role === "admin" ? "bg-emerald-100 text-emerald-800" : "bg-neutral-200 text-neutral-700"}`}
            >
              {ROLE_LABEL[staff.role]}
            </span>
            <form action={signOutAction}>
              <button
                type="submit"
                data-testid="staff-signout"
                className="rounded-md border border-neutral-300 px-3 py-1.5 text-neutral-700 hover:bg-neutral-100"
              >
                退出登录
              </button>
            </form>
          </div>
        </div>
      </header>
      <div className="mx-auto max-w-6xl px-4 py-6">
        <Suspense>
          <DeniedNotice />
        </Suspense>
        {children}
      </div>
    </div>
  );
}
