// GET: the latest follower and blacklist runs (the console's live bar polls it). POST: start (or resume)
// the follower sync job (run at once by this process); 202 at once, 409 while another one runs.
import { adminRoute } from "@/lib/admin/guard";
import { followerDeps } from "@/lib/followers/client";
import { startSyncInBackground, syncStatus } from "@/lib/followers/console";
import { followerErrorResponse } from "@/lib/followers/http";

const NO_STORE = { "cache-control": "no-store" };

export const GET = adminRoute(async () => {
  const deps = followerDeps();
  return Response.json(await syncStatus(deps.db, deps.now()), { headers: NO_STORE });
});

export const POST = adminRoute(async () => {
  try {
    const run = await startSyncInBackground();
    return Response.json({ run }, { status: 202, headers: NO_STORE });
  } catch (err) {
    return followerErrorResponse(err, { route: "admin/followers/sync" });
  }
});
