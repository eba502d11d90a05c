// The message endpoint (服务器配置 URL): GET verification, POST pushes in every mode. lib/messages does
// the work; the answer goes out at once and the event is applied after it (next/server after()).
// Refusals answer JSON with a push_* code (never the echostr); the reason goes to the log only.
import { AppError, NO_STORE } from "@/lib/errors";
import { route } from "@/lib/http";
import { checkPushQuery, readCappedBody, receivePush, verifyUrl, type MessageDeps } from "@/lib/messages/endpoint";
import { processAfterAnswer } from "@/lib/messages/deps";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

const PLAIN = { ...NO_STORE, "x-content-type-options": "nosniff" };
const TEXT = { headers: { "content-type": "text/plain; charset=utf-8", ...PLAIN } };

/** The endpoint's deps, or 404 push_disabled when it is not configured. */
function endpoint(): MessageDeps {
  const deps = services.messages;
  if (!deps) throw new AppError("push_disabled");
  return deps;
}

export const GET = route({}, async (request) => {
  const echostr = await verifyUrl(endpoint(), new URL(request.url).searchParams);
  return new Response(echostr, TEXT);
});

export const POST = route({}, async (request) => {
  const deps = endpoint();
  const params = new URL(request.url).searchParams;
  // The signature and timestamp first: the body is read (for at most 2 s) only for a signed query.
  checkPushQuery(deps, params);
  const body = await readCappedBody(request);
  const outcome = await receivePush(deps, params, body);
  if (outcome.recorded) processAfterAnswer(deps, outcome.eventId, outcome.delivery);
  return new Response(outcome.body, { headers: { "content-type": outcome.contentType, ...PLAIN } });
});
