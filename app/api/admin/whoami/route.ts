// The signed-in staff member (id, email, role), and whether sign-in is slowed down for everyone (many
// failed sign-ins lately): what the console's client code and tests ask first.
import { adminRoute } from "@/lib/admin/guard";
import { signInSlowedDown } from "@/lib/admin/staff";
import { services } from "@/lib/services";

export const GET = adminRoute(async (_request, { staff }) => ({
  staff,
  signInSlowed: await signInSlowedDown(services.db),
}));
