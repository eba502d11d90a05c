"use client";
// Ant Design for the console, and only for it (eslint keeps antd out of the end user's pages): Chinese
// texts (zh_CN: pagination, pickers, Modal buttons, Form messages), dayjs in Chinese and in Beijing time
// whatever the staff member's computer says, and <App> so that message/modal follow the theme.
import { App, ConfigProvider, theme, type ThemeConfig } from "antd";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";
// Every console page's browser code: zod without its eval probe, before any form parses (client-zod.ts).
import "./client-zod";

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale("zh-cn");
dayjs.tz.setDefault("Asia/Shanghai");

// One object for the process, not one per render: antd and its style cache key what they derive from the
// theme by this object and by its content, so a new literal each request would have it all worked out again.
const THEME: ThemeConfig = {
  // Styles from one static stylesheet (antd/dist/antd.css, imported by the admin layout) instead of
  // CSS-in-JS: no style work per server render and no inline CSS in every page's HTML.
  zeroRuntime: true,
  algorithm: theme.defaultAlgorithm,
  // A fixed scope for the theme's CSS variables (the default is a React id, which differs between the
  // console's layouts and would give the shared style cache of style-registry.tsx one copy per layout).
  cssVar: { key: "wcuc-antd" },
  // WeChat green as the accent; secondary text dark enough for WCAG AA on white (4.5:1). Links (and
  // link buttons, such as the back links) in a darker green than the accent: antd's default is its
  // blue, out of place here, and the accent itself is 3.3:1 on white, below AA for text.
  token: {
    colorPrimary: "#07a35a",
    colorLink: "#068048",
    colorLinkHover: "#07a35a",
    colorLinkActive: "#05693b",
    colorTextSecondary: "rgba(0, 0, 0, 0.65)",
    colorTextDescription: "rgba(0, 0, 0, 0.65)",
  },
};

export function AntdProvider({ children }: { children: React.ReactNode }) {
  return (
    <ConfigProvider locale={zhCN} theme={THEME}>
      <App>{children}</App>
    </ConfigProvider>
  );
}
