import { appDeps } from "@/lib/app";
import { AppError, errorResponse, toAppError } from "@/lib/errors";
import { isSameOrigin } from "@/lib/http";
import { refreshProfile } from "@/lib/me";
import { getSession } from "@/lib/session";
import { loginPath } from "@/lib/auth/login";

export async function POST(request: Request): Promise<Response> {
  if (!isSameOrigin(request)) return errorResponse(new AppError("cross_site"), { route: "profile_refresh" });
  const response = new Response(null, {
    headers: { "content-type": "application/json", "cache-control": "private, no-store" },
  });
  const session = await getSession(request, response);
  try {
    const user = await refreshProfile(appDeps(), session.userId);
    // A unionid that appeared merges two records into one: follow the person.
    if (user.id !== session.userId) {
      session.userId = user.id;
      await session.save();
    }
    return new Response(JSON.stringify({ user }), { status: 200, headers: response.headers });
  } catch (err) {
    const appError = toAppError(err);
    // Tell the page where to send the user to authorize again.
    const reauthorize =
      appError.code === "reauthorize" || appError.code === "need_userinfo"
        ? { reauthorizeUrl: loginPath("snsapi_userinfo", "/me") }
        : {};
    return errorResponse(appError, { route: "profile_refresh" }, reauthorize);
  }
}
