// GET /api/admin/auto-replies: every rule. POST: a new rule (admin only, from our origin: adminRoute).
import { adminRoute } from "@/lib/admin/guard";
import { db } from "@/lib/db";
import { AppError, errorResponse } from "@/lib/errors";
import { autoReplyInput, createAutoReply, listAutoReplies } from "@/lib/messages/auto-replies";

const NO_STORE = { "cache-control": "private, no-store" };

export const GET = adminRoute(async () => Response.json({ rules: await listAutoReplies(db()) }, { headers: NO_STORE }));

export const POST = adminRoute(async (request) => {
  const parsed = autoReplyInput.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    return errorResponse(
      new AppError("bad_request"),
      { route: "admin/auto-replies" },
      { issues: parsed.error.issues.map((i) => i.message) },
    );
  }
  return Response.json({ rule: await createAutoReply(db(), parsed.data) }, { status: 201, headers: NO_STORE });
});
