// The signed-in shell of every server-rendered console page: the staff check, then the shared frame.
// Layouts are not re-rendered on client-side navigation between sibling pages, so pages that show data
// should call requireStaffPage() themselves too (it is cached per request: no extra database read).
// The user list is not in this group: it is a static shell under app/admin/(static) (see its layout).
import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/admin/guard";
import { signInSlowedDown } from "@/lib/admin/staff";
import { services } from "@/lib/services";
import { ConsoleFrame } from "../console-frame";

export const metadata: Metadata = { title: "管理后台", robots: { index: false } };

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const staff = await requireStaffPage();
  const signInSlowed = await signInSlowedDown(services.db);
  return (
    <ConsoleFrame staff={staff} signInSlowed={signInSlowed}>
      {children}
    </ConsoleFrame>
  );
}
