// POST: make our blacklist flags WeChat's blacklist (tags/members/getblacklist, every page).
import { adminRoute } from "@/lib/admin/guard";
import { syncBlacklist } from "@/lib/followers/blacklist";
import { followerDeps } from "@/lib/followers/client";
import { followerErrorResponse } from "@/lib/followers/http";

export const POST = adminRoute(async () => {
  try {
    return Response.json(await syncBlacklist(followerDeps()), { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return followerErrorResponse(err, { route: "admin/blacklist/sync" });
  }
});
