// GET: the draft with its problems, conditional menus, taps and what is live. PUT {"button":[…]} (menu/create's
// body): save the draft, every limit checked. DELETE: delete the menu on WeChat (conditional menus too).
import { adminRoute } from "@/lib/admin/guard";
import { deleteMenu, getMenu, saveDraft } from "@/lib/menu/menus";
import { services } from "@/lib/services";
import { menuSchema } from "@/lib/wechat/menu";

export const GET = adminRoute(async () => getMenu(services.menus));

export const PUT = adminRoute({ body: menuSchema }, async (_request, { staff, body }) =>
  saveDraft(services.menus, body, staff.email),
);

export const DELETE = adminRoute(async (_request, { staff }) => {
  await deleteMenu(services.menus, staff.email);
  return { ok: true };
});
