// DELETE: delete one conditional menu (delconditional).
import { adminRoute } from "@/lib/admin/guard";
import { deleteConditional, menuIdParams } from "@/lib/menu/menus";
import { services } from "@/lib/services";

export const DELETE = adminRoute({ params: menuIdParams }, async (_request, { staff, params }) => {
  await deleteConditional(services.menus, params.menuid, staff.email);
  return { ok: true };
});
