// The console's frame, shared by both layouts: the top bar (nav, who is signed in, sign-out) and the
// content column. The (console) layout renders it on the server with the staff member it has checked; the
// (static) layout renders it in the browser from GET /api/admin/whoami, with `staff` null until that
// answers. No "use client" and no server imports, so that either side can render it.
import { Suspense } from "react";
import { signOutAction } from "@/app/admin/signin/actions";
import { ConsoleNav, DeniedNotice } from "./nav";

export interface FrameStaff {
  readonly email: string;
  readonly role: "admin" | "viewer";
}

const ROLE_LABEL = { admin: "管理员", viewer: "只读" } as const;

export function ConsoleFrame({ staff, children }: { staff: FrameStaff | null; children: React.ReactNode }) {
  return (
    // The admin layout is a phone-width column (for sign-in and setup); the console takes the whole window.
    <div className="fixed inset-0 z-10 overflow-y-auto bg-neutral-50 text-neutral-900">
      <header className="sticky top-0 z-10 border-b border-neutral-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <span className="font-semibold">微信用户中心 · 管理后台</span>
          <ConsoleNav />
          <div className="ml-auto flex items-center gap-3 text-sm">
            {staff ? (
              <>
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
              </>
            ) : (
              // Same height as the badge, so the bar does not move when whoami answers.
              <span className="h-5 w-40 animate-pulse rounded bg-neutral-100" aria-hidden="true" />
            )}
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
