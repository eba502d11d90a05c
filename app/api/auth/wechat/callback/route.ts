import { z } from "zod";
import { errorPagePath } from "@/lib/error-page";
import { clientIp, readCookie, redirect, route } from "@/lib/http";
import { sessionUserId, signIn } from "@/lib/session";
import { BINDING_COOKIE, completeLogin } from "@/lib/auth/login";
import { services } from "@/lib/services";

const query = z.object({
  code: z.string().min(1).max(512).optional(),
  state: z.string().max(256).optional(),
});

export const GET = route(
  { query, invalid: "state_invalid", onError: (err, where) => redirect(errorPagePath(err, where)) },
  async (request, { query }) => {
    const outcome = await completeLogin(services.auth, {
      ...query,
      binding: readCookie(request, BINDING_COOKIE),
      sessionUserId: await sessionUserId(request),
      userAgent: request.headers.get("user-agent"),
      ip: clientIp(request),
    });
    if (outcome.kind !== "signed_in") return redirect(outcome.kind === "restart" ? outcome.location : outcome.returnTo);
    const response = redirect(outcome.returnTo);
    await signIn(request, response, outcome.userId);
    return response;
  },
);
