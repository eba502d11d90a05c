"use client";
// Ant Design for the console, and only for it (eslint keeps antd out of the end user's pages): Chinese
// texts (zh_CN: pagination, pickers, Modal buttons, Form messages), dayjs in Chinese and in Beijing time
// whatever the staff member's computer says, and <App> so that message/modal follow the theme.
import { App, ConfigProvider, theme } from "antd";
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

export function AntdProvider({ children }: { children: React.ReactNode }) {
  return (
    <ConfigProvider
      locale={zhCN}
      theme={{
        // Styles from one static stylesheet (antd/dist/antd.css, imported by the admin layout) instead of
        // CSS-in-JS: no style work per server render and no inline CSS in every page's HTML.
        zeroRuntime: true,
        algorithm: theme.defaultAlgorithm,
        // WeChat green as the accent; secondary text dark enough for WCAG AA on white (4.5:1).
        token: {
          colorPrimary: "#07a35a",
          colorTextSecondary: "rgba(0, 0, 0, 0.65)",
          colorTextDescription: "rgba(0, 0, 0, 0.65)",
        },
      }}
    >
      <App>{children}</App>
    </ConfigProvider>
  );
}
