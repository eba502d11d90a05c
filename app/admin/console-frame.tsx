"use client";
// The console's frame, shared by both layouts: a collapsible side menu (a drawer on a phone), the top bar
// (who is signed in, sign-out), breadcrumbs and the content. The (console) layout renders it on the
// server with the staff member it has checked; the (static) layout renders it in the browser from GET
// /api/admin/whoami, with `staff` null until that answers.
import { LogoutOutlined, MenuFoldOutlined, MenuOutlined, MenuUnfoldOutlined } from "@ant-design/icons";
import { Alert, Button, Drawer, Layout, Skeleton, Tag } from "antd";
import { Suspense, useState } from "react";
import { signOutAction } from "@/app/admin/signin/actions";
import { ConsoleBreadcrumb, ConsoleMenu, DeniedNotice } from "./nav";

export interface FrameStaff {
  readonly email: string;
  readonly role: "admin" | "viewer";
}

const ROLE_LABEL = { admin: "管理员", viewer: "只读" } as const;
const TITLE = "微信用户中心";

/** What the console says while sign-in is slowed for everyone (lib/admin/staff.ts MAX_FAILURES_GLOBAL). */
export const SIGNIN_SLOWED_NOTICE =
  "近 15 分钟内登录失败次数过多，系统已放慢所有人的登录（每 3 秒只验证一次密码）。如非本团队所为，可能有人在尝试猜测密码。";

export function ConsoleFrame({
  staff,
  signInSlowed = false,
  children,
}: {
  staff: FrameStaff | null;
  /** sign-in is slowed down for everyone: say so above the content */
  signInSlowed?: boolean;
  children: React.ReactNode;
}) {
  const [collapsed, setCollapsed] = useState(false);
  const [drawer, setDrawer] = useState(false);
  return (
    <Layout style={{ minHeight: "100dvh" }}>
      <Layout.Sider
        className="wcuc-sider"
        theme="light"
        collapsible
        collapsed={collapsed}
        trigger={null}
        width={200}
        style={{ borderInlineEnd: "1px solid rgba(5, 5, 5, 0.06)" }}
      >
        <div style={{ padding: "16px 20px", fontWeight: 600, whiteSpace: "nowrap", overflow: "hidden" }}>
          {collapsed ? "微信" : TITLE}
        </div>
        <ConsoleMenu />
      </Layout.Sider>
      <Drawer
        placement="left"
        open={drawer}
        onClose={() => setDrawer(false)}
        size={240}
        title={TITLE}
        styles={{ body: { padding: 0 } }}
        data-testid="nav-drawer"
      >
        <ConsoleMenu onNavigate={() => setDrawer(false)} />
      </Drawer>
      <Layout>
        <Layout.Header
          style={{
            position: "sticky",
            top: 0,
            zIndex: 10,
            display: "flex",
            alignItems: "center",
            gap: 12,
            padding: "0 16px",
            background: "#fff",
            borderBottom: "1px solid rgba(5, 5, 5, 0.06)",
          }}
        >
          <Button
            className="wcuc-drawer-button"
            type="text"
            icon={<MenuOutlined />}
            aria-label="打开菜单"
            data-testid="nav-drawer-open"
            onClick={() => setDrawer(true)}
          />
          <Button
            className="wcuc-collapse-button"
            type="text"
            icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
            aria-label={collapsed ? "展开菜单" : "收起菜单"}
            onClick={() => setCollapsed(!collapsed)}
          />
          <span style={{ fontWeight: 600, whiteSpace: "nowrap" }}>管理后台</span>
          <div style={{ marginLeft: "auto", display: "flex", alignItems: "center", gap: 8, minWidth: 0 }}>
            {staff ? (
              <>
                <span className="wcuc-staff-email" title={staff.email} data-testid="staff-email">
                  {staff.email}
                </span>
                <Tag
                  color={staff.role === "admin" ? "green" : "default"}
                  data-testid="staff-role"
                  data-role={staff.role}
                  style={{ marginInlineEnd: 0 }}
                >
                  {ROLE_LABEL[staff.role]}
                </Tag>
              </>
            ) : (
              // About the size of the email and badge, so the bar does not move when whoami answers.
              <Skeleton.Input active size="small" style={{ width: 160 }} aria-hidden="true" />
            )}
            <form action={signOutAction}>
              <Button htmlType="submit" icon={<LogoutOutlined />} data-testid="staff-signout" aria-label="退出登录">
                <span className="wcuc-signout-label">退出登录</span>
              </Button>
            </form>
          </div>
        </Layout.Header>
        <Layout.Content style={{ padding: "16px", maxWidth: 1280, width: "100%", margin: "0 auto" }}>
          <ConsoleBreadcrumb />
          {signInSlowed && (
            <Alert
              type="warning"
              showIcon
              title={SIGNIN_SLOWED_NOTICE}
              data-testid="signin-slowed"
              style={{ marginBottom: 16 }}
            />
          )}
          <Suspense>
            <DeniedNotice />
          </Suspense>
          {children}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
