// A change that changes nothing: proves that writes need an admin, from our own origin.
import { adminRoute } from "@/lib/admin/guard";

export const POST = adminRoute(async () => ({ ok: true }));
