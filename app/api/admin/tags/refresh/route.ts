// POST: pull the tag list from WeChat into our mirror.
import { adminRoute } from "@/lib/admin/guard";
import { followerDeps } from "@/lib/followers/client";
import { refreshTags } from "@/lib/followers/tags";

export const POST = adminRoute(async () => ({ tags: await refreshTags(followerDeps()) }));
