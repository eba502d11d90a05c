// GET: the latest follower and blacklist runs (the console's live bar polls it). POST: start (or resume)
// the follower sync job (run at once by this process); 202 at once, 409 while another one runs.
import { adminRoute } from "@/lib/admin/guard";
import { startSyncInBackground, syncStatus } from "@/lib/followers/console";
import { services } from "@/lib/services";

export const GET = adminRoute(async () => {
  const deps = services.followers;
  return syncStatus(deps.db, deps.now());
});

export const POST = adminRoute({ status: 202 }, async () => ({ run: await startSyncInBackground(services.jobs) }));
