// TEST-ONLY ROUTE, fenced by the admin guard: a change that changes nothing, so the e2e tests
// (e2e/admin/auth.spec.ts) and app/admin/deny-by-default.test.ts can prove that writes need an admin,
// from our own origin (200 for an admin, 401 signed out, 403 for a viewer or another origin). It reads
// and writes nothing and tells an admin only what /api/admin/whoami already does, so it stays in
// production builds, which the e2e tests run against; see README, Layout.
import { adminRoute } from "@/lib/admin/guard";

export const POST = adminRoute(async () => ({ ok: true }));
