// POST {"button":[…],"matchrule":{"tag_id"?,"client_platform_type"?}}: add a conditional menu (addconditional).
import { adminRoute } from "@/lib/admin/guard";
import { addConditional } from "@/lib/menu/menus";
import { services } from "@/lib/services";
import { matchRuleSchema, menuSchema } from "@/lib/wechat/menu";

const body = menuSchema.extend({ matchrule: matchRuleSchema });

export const POST = adminRoute({ body, status: 201 }, async (_request, { staff, body }) => ({
  conditional: await addConditional(services.menus, { button: body.button }, body.matchrule, staff.email),
}));
