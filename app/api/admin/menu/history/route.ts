// GET: what was published, deleted or imported, by whom and when, newest first.
import { adminRoute } from "@/lib/admin/guard";
import { menuHistory } from "@/lib/menu/menus";
import { services } from "@/lib/services";

export const GET = adminRoute(async () => ({ history: await menuHistory(services.menus) }));
