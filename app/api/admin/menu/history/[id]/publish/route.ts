// POST: rollback: publish this version from the history again; it becomes the draft.
import { adminRoute } from "@/lib/admin/guard";
import { historyIdParams, publishVersion } from "@/lib/menu/menus";
import { services } from "@/lib/services";

export const POST = adminRoute({ params: historyIdParams }, async (_request, { staff, params }) => ({
  published: await publishVersion(services.menus, params.id, staff.email),
}));
