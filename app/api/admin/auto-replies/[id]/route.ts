// PUT /api/admin/auto-replies/<id>: replace a rule; DELETE: remove it (admin only, from our origin).
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { AppError } from "@/lib/errors";
import { autoReplyInput, deleteAutoReply, updateAutoReply } from "@/lib/messages/auto-replies";

const params = z.object({ id: z.string().min(1).max(64) });

export const PUT = adminRoute({ params, body: autoReplyInput }, async (_request, { params, body }) => {
  const rule = await updateAutoReply(services.db, params.id, body);
  if (!rule) throw new AppError("auto_reply_not_found");
  return { rule };
});

// An id that cannot exist is simply not found.
export const DELETE = adminRoute(async (_request, { params }) => {
  const { id } = params;
  if (typeof id !== "string" || id.length > 64 || !(await deleteAutoReply(services.db, id))) {
    throw new AppError("auto_reply_not_found");
  }
  return { ok: true };
});
