// POST: make our blacklist flags WeChat's blacklist (tags/members/getblacklist, every page).
import { adminRoute } from "@/lib/admin/guard";
import { syncBlacklist } from "@/lib/followers/blacklist";
import { services } from "@/lib/services";

export const POST = adminRoute(() => syncBlacklist(services.followers));
