// The frame of the console pages that are static shells (prerendered at build time, the same bytes for
// every staff member): no requireStaffPage() here, nor anything else that reads the request, or every page
// below would become dynamic again. Who may see them: proxy.ts refuses a request without a valid staff
// session before the HTML is served, and the data comes from /api/admin routes, each behind adminRoute(),
// which reads the Staff row on every request. The deny-by-default test holds each page here to that.
import type { Metadata } from "next";
import { StaffFrame } from "./staff-frame";

export const metadata: Metadata = { title: "管理后台", robots: { index: false } };

export default function StaticConsoleLayout({ children }: { children: React.ReactNode }) {
  return <StaffFrame>{children}</StaffFrame>;
}
