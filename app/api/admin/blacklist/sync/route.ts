// POST: make our blacklist flags WeChat's blacklist (tags/members/getblacklist, every page).
import { adminRoute } from "@/lib/admin/guard";
import { syncBlacklist } from "@/lib/followers/blacklist";
import { followerDeps } from "@/lib/followers/client";

export const POST = adminRoute(() => syncBlacklist(followerDeps()));
