import { errorResponse, AppError } from "@/lib/errors";
import { isSameOrigin } from "@/lib/http";
import { getSession } from "@/lib/session";

export async function POST(request: Request): Promise<Response> {
  if (!isSameOrigin(request)) return errorResponse(new AppError("cross_site"), { route: "logout" });
  const response = Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
  (await getSession(request, response)).destroy();
  return response;
}
