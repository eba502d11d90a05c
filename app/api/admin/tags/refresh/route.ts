// POST: pull the tag list from WeChat into our mirror.
import { adminRoute } from "@/lib/admin/guard";
import { followerDeps } from "@/lib/followers/client";
import { followerErrorResponse } from "@/lib/followers/http";
import { refreshTags } from "@/lib/followers/tags";

export const POST = adminRoute(async () => {
  try {
    return Response.json({ tags: await refreshTags(followerDeps()) }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return followerErrorResponse(err, { route: "admin/tags/refresh" });
  }
});
