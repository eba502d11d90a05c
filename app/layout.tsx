import type { Metadata, Viewport } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "微信用户中心",
  description: "公众号网页授权登录与用户中心",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#ededed" };

// Only the document: the end-user pages draw WeUI's frame in app/(h5)/layout.tsx, the console its own in
// app/admin/layout.tsx, so that neither's global styles reach the other.
export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="zh-CN">
      <body className="min-h-dvh antialiased">{children}</body>
    </html>
  );
}
