import { z } from "zod";
import { env } from "@/lib/env";
import { errorPageResponse } from "@/lib/error-page";
import { clientIp, readCookie, redirect, route, serializeCookie } from "@/lib/http";
import { BINDING_COOKIE, STATE_TTL_MS, startLogin } from "@/lib/auth/login";
import { services } from "@/lib/services";

const query = z.object({
  scope: z.enum(["snsapi_base", "snsapi_userinfo"]).default("snsapi_base"),
  returnTo: z.string().max(2048).optional(),
  attempt: z.coerce.number().int().min(1).max(2).optional(),
});

export const GET = route(
  { query, invalid: "bad_request", onError: (err, where) => errorPageResponse(err, where, env().APP_URL) },
  async (request, { query }) => {
    const started = await startLogin(services.auth, {
      ...query,
      binding: readCookie(request, BINDING_COOKIE),
      userAgent: request.headers.get("user-agent"),
      ip: clientIp(request),
      weChatBrowserOnly: env().browserOnly,
    });
    if (started.kind === "open_in_wechat") return redirect(started.location);
    return redirect(started.location, {
      "set-cookie": serializeCookie(BINDING_COOKIE, started.binding, {
        maxAge: STATE_TTL_MS / 1000,
        path: "/api/auth/wechat",
      }),
    });
  },
);
