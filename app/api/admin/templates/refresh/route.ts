// POST: fetch the templates from WeChat (get_all_private_template) and make ours the same.
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { refreshTemplates } from "@/lib/templates/templates";

export const POST = adminRoute(async () => refreshTemplates(services.templates));
