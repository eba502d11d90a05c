// Any other address under /admin: the console's own 404 (app/admin/not-found.tsx), not the whole app's.
// Behind the staff check like every console page (proxy.ts has already sent strangers to sign-in).
import { notFound } from "next/navigation";
import { requireStaffPage } from "@/lib/admin/guard";

export default async function MissingConsolePage() {
  await requireStaffPage();
  notFound();
}
