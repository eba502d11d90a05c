import { z } from "zod";
import { appDeps } from "@/lib/app";
import { errorPagePath } from "@/lib/error-page";
import { clientIp, readCookie, redirect } from "@/lib/http";
import { getSession } from "@/lib/session";
import { BINDING_COOKIE, completeLogin } from "@/lib/auth/login";

const Query = z.object({
  code: z.string().min(1).max(512).optional(),
  state: z.string().max(256).optional(),
});

export async function GET(request: Request): Promise<Response> {
  const query = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return redirect(errorPagePath("state_invalid"));
  const probe = new Response();
  const session = await getSession(request, probe);
  try {
    const outcome = await completeLogin(appDeps(), {
      ...query.data,
      binding: readCookie(request, BINDING_COOKIE),
      sessionUserId: session.userId,
      userAgent: request.headers.get("user-agent"),
      ip: clientIp(request),
    });
    if (outcome.kind !== "signed_in") return redirect(outcome.kind === "restart" ? outcome.location : outcome.returnTo);
    const response = redirect(outcome.returnTo);
    const signedIn = await getSession(request, response);
    if (signedIn.userId !== outcome.userId) {
      signedIn.userId = outcome.userId;
      signedIn.iat = Math.floor(Date.now() / 1000);
      await signedIn.save();
    }
    return response;
  } catch (err) {
    return redirect(errorPagePath(err, { route: "callback" }));
  }
}
