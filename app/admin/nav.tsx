"use client";
// The console's navigation: the side menu's entries (also the drawer's on a phone) and the breadcrumb
// trail, both from one table of sections.
import {
  AppstoreOutlined,
  QrcodeOutlined,
  SendOutlined,
  DashboardOutlined,
  GiftOutlined,
  ScanOutlined,
  AccountBookOutlined,
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
  { href: "/admin/orders", label: "订单", icon: <AccountBookOutlined /> },
  { href: "/admin/followers", label: "粉丝同步", icon: <SyncOutlined /> },
  { href: "/admin/tags", label: "标签", icon: <TagsOutlined /> },
  { href: "/admin/blacklist", label: "黑名单", icon: <StopOutlined /> },
  { href: "/admin/auto-replies", label: "自动回复", icon: <MessageOutlined /> },
  { href: "/admin/menu", label: "自定义菜单", icon: <AppstoreOutlined /> },
  { href: "/admin/qrcodes", label: "渠道二维码", icon: <QrcodeOutlined /> },
  { href: "/admin/templates", label: "模板消息", icon: <NotificationOutlined /> },
  { href: "/admin/messages", label: "群发", icon: <SendOutlined /> },
  { href: "/admin/cards", label: "卡券", icon: <GiftOutlined /> },
  { href: "/admin/redeem", label: "核销", icon: <ScanOutlined /> },
] as const;

/** Pages below a section, by path: the breadcrumb's last step names the page, never a bare "详情". */
const PAGES_BELOW: readonly { path: RegExp; label: string }[] = [
  { path: /^\/admin\/messages\/new$/, label: "新建群发" },
  { path: /^\/admin\/messages\/[^/]+$/, label: "群发详情" },
  { path: /^\/admin\/qrcodes\/[^/]+$/, label: "二维码详情" },
  { path: /^\/admin\/cards\/[^/]+$/, label: "卡券详情" },
  { path: /^\/admin\/users\/[^/]+$/, label: "用户详情" },
  { path: /^\/admin\/orders\/[^/]+$/, label: "订单详情" },
];

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

/** The breadcrumb's steps after 管理后台 for a path: its section, then the page below it if any. */
export function breadcrumbSteps(pathname: string): { label: string; href?: string }[] {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  const current = sectionOf(path);
  if (!current) return [{ label: "页面不存在" }];
  if (path === current.href) return [{ label: current.label }];
  const page = PAGES_BELOW.find((p) => p.path.test(path));
  return [{ label: current.label, href: current.href }, { label: page?.label ?? "页面不存在" }];
}

/** 管理后台 / section / page below it: every step but the last is a link. */
export function ConsoleBreadcrumb() {
  const steps = breadcrumbSteps(usePathname());
  const items = [
    { title: "管理后台" },
    ...steps.map(({ label, href }) => ({ title: href ? <Link href={href}>{label}</Link> : label })),
  ];
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
