// The message endpoint (服务器配置 URL): GET verification, POST pushes in every mode. lib/messages does
// the work; the answer goes out at once and the event is applied after it (next/server after()).
import { readCappedBody, receivePush, verifyUrl } from "@/lib/messages/endpoint";
import { processAfterAnswer, pushErrorResponse, requireMessageDeps } from "@/lib/messages/deps";

export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

export async function GET(request: Request): Promise<Response> {
  try {
    const echostr = await verifyUrl(requireMessageDeps(), new URL(request.url).searchParams);
    return new Response(echostr, { headers: { "content-type": "text/plain; charset=utf-8", ...NO_STORE } });
  } catch (err) {
    return pushErrorResponse(err);
  }
}

export async function POST(request: Request): Promise<Response> {
  try {
    const deps = requireMessageDeps();
    const body = await readCappedBody(request);
    const outcome = await receivePush(deps, new URL(request.url).searchParams, body);
    if (outcome.recorded) processAfterAnswer(deps, outcome.eventId);
    return new Response(outcome.body, { headers: { "content-type": outcome.contentType, ...NO_STORE } });
  } catch (err) {
    return pushErrorResponse(err);
  }
}
