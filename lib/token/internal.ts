import "server-only";
// The internal API other servers of the account use instead of fetching their own token
// (/api/internal/wechat/access-token, /jsapi-ticket, /card-ticket, and their /refresh), and the JS-SDK config.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { safeEqual } from "@/lib/crypto";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { route, type RouteHandler } from "@/lib/http";
import { services } from "@/lib/services";
import { createJssdkConfig, signableUrl, type JssdkConfig } from "@/lib/wechat/jssdk";
import type { CredentialKind } from "@/lib/wechat/token";
import type { Credential } from "./service";

const FIELD: Record<CredentialKind, "access_token" | "ticket"> = {
  access_token: "access_token",
  jsapi_ticket: "ticket",
  card_ticket: "ticket",
};

export const refreshBody: Record<CredentialKind, z.ZodType<Record<string, string>>> = {
  access_token: z.object({ access_token: z.string().min(1).max(2048) }),
  jsapi_ticket: z.object({ ticket: z.string().min(1).max(2048) }),
  card_ticket: z.object({ ticket: z.string().min(1).max(2048) }),
};

/** Bearer INTERNAL_API_SECRET, compared in constant time; off (404) when the secret is unset. */
export function requireInternalCaller(request: Request): void {
  const secret = env().INTERNAL_API_SECRET;
  if (!secret) throw new AppError("internal_api_disabled");
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match || !safeEqual(match[1] ?? "", secret)) throw new AppError("internal_api_unauthorized");
}

function credentialJson(credential: Credential, nowMs: number) {
  return {
    [FIELD[credential.kind]]: credential.value,
    expires_in: Math.max(0, Math.floor((credential.expiresAt.getTime() - nowMs) / 1000)),
    expires_at: credential.expiresAt.toISOString(),
    version: credential.version,
    fingerprint: credential.fingerprint,
  };
}

/** GET: the current value. */
export function internalRead(kind: CredentialKind): RouteHandler {
  return route({ authorize: requireInternalCaller }, async () => {
    const service = services.tokens;
    return credentialJson(await service.get(kind), service.deps.now().getTime());
  });
}

/** POST /refresh with the value WeChat refused: compare-and-expire, then the value to retry with. */
export function internalRefresh(kind: CredentialKind): RouteHandler {
  return route({ authorize: requireInternalCaller, body: refreshBody[kind] }, async (_request, { body }) => {
    const service = services.tokens;
    const credential = await service.reportInvalid(kind, body[FIELD[kind]] ?? "");
    return credentialJson(credential, service.deps.now().getTime());
  });
}

/** What wx.config needs for `pageUrl`, a page of our own origin, signed with the central ticket. */
export async function jssdkConfig(pageUrl: string): Promise<JssdkConfig> {
  const url = signableUrl(pageUrl, env().APP_URL);
  if (!url) throw new AppError("bad_request", { detail: "url must be a page of this site" });
  const service = services.tokens;
  const ticket = await service.jsapiTicket();
  return createJssdkConfig({
    appId: service.appId,
    ticket: ticket.value,
    url,
    nowMs: service.deps.now().getTime(),
    randomBytes: (n) => randomBytes(n),
  });
}
