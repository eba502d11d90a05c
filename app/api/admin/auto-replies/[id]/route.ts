// PUT /api/admin/auto-replies/<id>: replace a rule; DELETE: remove it (admin only, from our origin).
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { db } from "@/lib/db";
import { AppError, errorResponse } from "@/lib/errors";
import { autoReplyInput, deleteAutoReply, updateAutoReply } from "@/lib/messages/auto-replies";

const NO_STORE = { "cache-control": "private, no-store" };
const idParam = z.object({ id: z.string().min(1).max(64) });

export const PUT = adminRoute(async (request, { params }) => {
  const id = idParam.safeParse(params);
  const parsed = autoReplyInput.safeParse(await request.json().catch(() => null));
  if (!id.success || !parsed.success) {
    const issues = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
    return errorResponse(new AppError("bad_request"), { route: "admin/auto-replies/[id]" }, { issues });
  }
  const rule = await updateAutoReply(db(), id.data.id, parsed.data);
  if (!rule) return errorResponse(new AppError("auto_reply_not_found"), { route: "admin/auto-replies/[id]" });
  return Response.json({ rule }, { headers: NO_STORE });
});

export const DELETE = adminRoute(async (_request, { params }) => {
  const id = idParam.safeParse(params);
  if (!id.success || !(await deleteAutoReply(db(), id.data.id))) {
    return errorResponse(new AppError("auto_reply_not_found"), { route: "admin/auto-replies/[id]" });
  }
  return Response.json({ ok: true }, { headers: NO_STORE });
});
