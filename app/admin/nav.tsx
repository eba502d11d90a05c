"use client";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";

const LINKS = [
  { href: "/admin", label: "仪表盘" },
  { href: "/admin/users", label: "用户" },
  { href: "/admin/followers", label: "粉丝同步" },
  { href: "/admin/tags", label: "标签" },
  { href: "/admin/blacklist", label: "黑名单" },
  { href: "/admin/auto-replies", label: "自动回复" },
] as const;

export function ConsoleNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="管理后台" className="flex gap-1">
      {LINKS.map(({ href, label }) => {
        const active = href === "/admin" ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? "page" : undefined}
            className={`rounded-md px-3 py-1.5 text-sm ${active ? "bg-neutral-900 text-white" : "text-neutral-600 hover:bg-neutral-100"}`}
          >
            {label}
          </Link>
        );
      })}
    </nav>
  );
}

/** requireStaffPage({ role: "admin" }) sends a viewer to /admin?denied=1: say why they landed here. */
export function DeniedNotice() {
  const denied = useSearchParams().get("denied") === "1";
  if (!denied) return null;
  return (
    <p role="alert" data-testid="admin-denied" className="mb-4 rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900">
      没有权限：该页面只对管理员（admin）开放，你的角色是只读（viewer）。
    </p>
  );
}
