// POST (Bearer INTERNAL_API_SECRET) {"openid"|"userId","templateId","data","url"?,"miniprogram"?,"idempotencyKey"}:
// a template message from another server of the account. 202 {"id","status",…}; the same idempotencyKey
// never sends twice (200 with the first message); a value that does not fit its field is 400 naming it.
import { route } from "@/lib/http";
import { services } from "@/lib/services";
import { internalSendInput, internalView, sendTemplateMessage } from "@/lib/templates/send";
import { requireInternalCaller } from "@/lib/token/internal";

export const dynamic = "force-dynamic";

export const POST = route({ authorize: requireInternalCaller, body: internalSendInput }, async (_request, { body }) => {
  const { openid, userId, idempotencyKey, ...message } = body;
  const to = userId !== undefined ? { userId } : { openid: openid! };
  const sent = await sendTemplateMessage(services.templates, to, message, { source: "api", idempotencyKey });
  return Response.json(internalView(sent.message), {
    status: sent.replayed ? 200 : 202,
    headers: { "cache-control": "no-store" },
  });
});
