import type { Metadata, Viewport } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "微信用户中心",
  description: "公众号网页授权登录与用户中心",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#ededed" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="zh-CN">
      <body className="min-h-dvh bg-[#ededed] text-neutral-900 antialiased">
        <main className="mx-auto flex min-h-dvh max-w-md flex-col px-4 py-6">{children}</main>
      </body>
    </html>
  );
}
