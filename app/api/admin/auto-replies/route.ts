// GET /api/admin/auto-replies: every rule. POST: a new rule (admin only, from our origin: adminRoute).
import { adminRoute } from "@/lib/admin/guard";
import { services } from "@/lib/services";
import { autoReplyInput, createAutoReply, listAutoReplies } from "@/lib/messages/auto-replies";

export const GET = adminRoute(async () => ({ rules: await listAutoReplies(services.db) }));

export const POST = adminRoute({ body: autoReplyInput, status: 201 }, async (_request, { body }) => ({
  rule: await createAutoReply(services.db, body),
}));
