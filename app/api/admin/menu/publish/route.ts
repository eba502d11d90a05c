// POST: publish the saved draft with menu/create (refused before calling when it breaks a limit).
import { adminRoute } from "@/lib/admin/guard";
import { publishDraft } from "@/lib/menu/menus";
import { services } from "@/lib/services";

export const POST = adminRoute(async (_request, { staff }) => ({
  published: await publishDraft(services.menus, staff.email),
}));
