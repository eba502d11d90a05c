// POST: pull the tag list from WeChat into our mirror.
import { adminRoute } from "@/lib/admin/guard";
import { refreshTags } from "@/lib/followers/tags";
import { services } from "@/lib/services";

export const POST = adminRoute(async () => ({ tags: await refreshTags(services.followers) }));
