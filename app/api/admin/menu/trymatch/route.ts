// POST {"userId"}: 预览匹配: the menu this person gets (trymatch), and whether it is a conditional one.
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { tryMatch } from "@/lib/menu/menus";
import { services } from "@/lib/services";

const body = z.object({ userId: z.string().min(1).max(64) });

export const POST = adminRoute({ body }, async (_request, { body }) => tryMatch(services.menus, body.userId));
