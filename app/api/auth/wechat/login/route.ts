import { z } from "zod";
import { appDeps } from "@/lib/app";
import { env } from "@/lib/env";
import { errorPagePath } from "@/lib/error-page";
import { readCookie, redirect, serializeCookie } from "@/lib/http";
import { BINDING_COOKIE, STATE_TTL_MS, startLogin } from "@/lib/auth/login";

const Query = z.object({
  scope: z.enum(["snsapi_base", "snsapi_userinfo"]).default("snsapi_base"),
  returnTo: z.string().max(2048).optional(),
  attempt: z.coerce.number().int().min(1).max(2).optional(),
});

export async function GET(request: Request): Promise<Response> {
  const query = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return redirect(errorPagePath("bad_request"));
  try {
    const started = await startLogin(appDeps(), {
      ...query.data,
      binding: readCookie(request, BINDING_COOKIE),
      userAgent: request.headers.get("user-agent"),
      weChatBrowserOnly: env().browserOnly,
    });
    if (started.kind === "open_in_wechat") return redirect(started.location);
    return redirect(started.location, {
      "set-cookie": serializeCookie(BINDING_COOKIE, started.binding, {
        maxAge: STATE_TTL_MS / 1000,
        path: "/api/auth/wechat",
      }),
    });
  } catch (err) {
    return redirect(errorPagePath(err, { route: "login" }));
  }
}
