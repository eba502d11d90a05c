import { appDeps } from "@/lib/app";
import { errorResponse } from "@/lib/errors";
import { getMe } from "@/lib/me";
import { sessionUserId } from "@/lib/session";

export async function GET(request: Request): Promise<Response> {
  try {
    const user = await getMe(appDeps(), await sessionUserId(request));
    return Response.json({ user }, { headers: { "cache-control": "private, no-store" } });
  } catch (err) {
    return errorResponse(err, { route: "me" });
  }
}
