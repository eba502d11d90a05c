// The signed-in staff member (id, email, role): what the console's client code and tests ask first.
import { adminRoute } from "@/lib/admin/guard";

export const GET = adminRoute(async (_request, { staff }) => ({ staff }));
