// POST: the live menu (get_current_selfmenu_info, console-made buttons included) becomes the draft.
import { adminRoute } from "@/lib/admin/guard";
import { importMenu } from "@/lib/menu/menus";
import { services } from "@/lib/services";

export const POST = adminRoute(async (_request, { staff }) => importMenu(services.menus, staff.email));
