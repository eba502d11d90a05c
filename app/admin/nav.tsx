"use client";
// The console's navigation: the side menu's entries (also the drawer's on a phone) and the breadcrumb
// trail, both from one table of sections.
import {
  AppstoreOutlined,
  QrcodeOutlined,
  SendOutlined,
  DashboardOutlined,
  MessageOutlined,
  NotificationOutlined,
  StopOutlined,
  SyncOutlined,
  TagsOutlined,
  TeamOutlined,
} from "@ant-design/icons";
import { Alert, Breadcrumb, Menu } from "antd";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";

const SECTIONS = [
  { href: "/admin", label: "仪表盘", icon: <DashboardOutlined /> },
  { href: "/admin/users", label: "用户", icon: <TeamOutlined /> },
  { href: "/admin/followers", label: "粉丝同步", icon: <SyncOutlined /> },
  { href: "/admin/tags", label: "标签", icon: <TagsOutlined /> },
  { href: "/admin/blacklist", label: "黑名单", icon: <StopOutlined /> },
  { href: "/admin/auto-replies", label: "自动回复", icon: <MessageOutlined /> },
  { href: "/admin/menu", label: "自定义菜单", icon: <AppstoreOutlined /> },
  { href: "/admin/qrcodes", label: "渠道二维码", icon: <QrcodeOutlined /> },
  { href: "/admin/templates", label: "模板消息", icon: <NotificationOutlined /> },
  { href: "/admin/messages", label: "群发", icon: <SendOutlined /> },
] as const;

/** The section a path belongs to (the longest matching prefix), if any. */
function sectionOf(pathname: string) {
  return SECTIONS.filter(({ href }) =>
    href === "/admin" ? pathname === href : pathname === href || pathname.startsWith(`${href}/`),
  ).at(-1);
}

export function ConsoleMenu({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  const current = sectionOf(pathname);
  return (
    <nav aria-label="管理后台">
      <Menu
        mode="inline"
        selectedKeys={current ? [current.href] : []}
        onClick={onNavigate}
        style={{ borderInlineEnd: "none" }}
        items={SECTIONS.map(({ href, label, icon }) => ({
          key: href,
          icon,
          label: (
            <Link href={href} aria-current={current?.href === href ? "page" : undefined}>
              {label}
            </Link>
          ),
        }))}
      />
    </nav>
  );
}

/** 管理后台 / section / (detail): the section is a link when the page is below it. */
export function ConsoleBreadcrumb() {
  const pathname = usePathname();
  const current = sectionOf(pathname);
  const items: { title: React.ReactNode }[] = [{ title: "管理后台" }];
  if (current && current.href !== "/admin") {
    const below = pathname !== current.href;
    items.push({ title: below ? <Link href={current.href}>{current.label}</Link> : current.label });
    if (below) items.push({ title: "详情" });
  } else if (current) items.push({ title: current.label });
  return <Breadcrumb items={items} data-testid="breadcrumb" style={{ marginBottom: 16 }} />;
}

/** requireStaffPage({ role: "admin" }) sends a viewer to /admin?denied=1: say why they landed here. */
export function DeniedNotice() {
  const denied = useSearchParams().get("denied") === "1";
  if (!denied) return null;
  return (
    <Alert
      type="warning"
      showIcon
      role="alert"
      data-testid="admin-denied"
      style={{ marginBottom: 16 }}
      title="没有权限：该页面只对管理员（admin）开放，你的角色是只读（viewer）。"
    />
  );
}
