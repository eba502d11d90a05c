// GET: the latest background jobs (lib/jobs) with their state, attempts, progress and last error.
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";

export const GET = adminRoute(async () =>
  Response.json({ jobs: await services.jobs.list(50) }, { headers: { "cache-control": "private, no-store" } }),
);
