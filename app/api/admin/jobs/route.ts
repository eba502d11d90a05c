// GET: the latest background jobs (lib/jobs) with their state, attempts, progress and last error.
import { adminRoute } from "@/lib/admin/guard";
import { backgroundJobs } from "@/lib/background";

export const GET = adminRoute(async () =>
  Response.json({ jobs: await backgroundJobs().list(50) }, { headers: { "cache-control": "private, no-store" } }),
);
