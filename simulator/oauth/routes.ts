/**
 * Web authorization (网页授权) as one surface: open.weixin.qq.com's authorize page and consent form,
 * and api.weixin.qq.com's /sns endpoints (sns.ts).
 */
import type { IncomingHttpHeaders } from "node:http";
import { htmlReply, redirectReply, type Reply } from "../http/reply";
import { route, type Route, type SimRequest } from "../http/router";
import type { World } from "../world";
import { appendToRedirect, parseAuthorizeQuery, validateAuthorizeFields, type AuthorizeRequest } from "./authorize";
import { CONFIRM_PATH, errorPageReply, renderConsentPage, renderRedirectPage } from "./pages";
import { snsRoutes } from "./sns";

export const AUTHORIZE_PATH = "/connect/oauth2/authorize";
/** Cookie (on the simulator's origin) remembering the user last chosen on the consent page. */
export const USER_COOKIE = "sim_user";

export function oauthRoutes(world: World): Route[] {
  return [
    route(["GET"], AUTHORIZE_PATH, (req) => authorize(world, req)),
    route(["POST"], CONFIRM_PATH, (req) => confirm(world, req)),
    ...snsRoutes(world),
  ];
}

/** The user the browser "is": the one chosen last on the consent page, else the selected one. */
export function currentUserKey(world: World, headers: IncomingHttpHeaders): string {
  const fromCookie = readCookie(headers, USER_COOKIE);
  return fromCookie !== undefined && world.userByKey(fromCookie) ? fromCookie : world.selectedUserKey();
}

function authorize(world: World, req: SimRequest): Reply {
  const result = parseAuthorizeQuery(req.rawQuery, world.authorizeConfig);
  if (!result.ok) return errorPageReply(result.error);
  const { request } = result;

  if (request.scope === "snsapi_base") {
    // Silent: the code exists as soon as the page is served, as on WeChat where the 302 carries it.
    const code = world.grants.mintCode(currentUserKey(world, req.headers), "snsapi_base", world.now());
    const target = appendToRedirect(request.redirectUri, [["code", code], ...stateParam(request)]);
    return htmlReply(renderRedirectPage(target), { "X-Sim-Page": "redirect" });
  }
  const page = renderConsentPage({
    appName: world.appName,
    request,
    users: world.users(),
    selectedKey: currentUserKey(world, req.headers),
  });
  return htmlReply(page, { "X-Sim-Page": "consent" });
}

function confirm(world: World, req: SimRequest): Reply {
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/x-www-form-urlencoded") {
    return errorPageReply({ reason: "form", message: "表单格式错误" });
  }
  const form = new URLSearchParams(req.body);
  const result = validateAuthorizeFields(
    {
      appid: form.get("appid") ?? undefined,
      redirectUri: form.get("redirect_uri") ?? undefined,
      responseType: form.get("response_type") ?? undefined,
      scope: form.get("scope") ?? undefined,
      state: form.get("state") ?? undefined,
    },
    world.authorizeConfig,
  );
  if (!result.ok) return errorPageReply(result.error);
  const { request } = result;
  if (request.scope !== "snsapi_userinfo") {
    return errorPageReply({ reason: "scope", message: "只有 snsapi_userinfo 需要用户确认" });
  }

  const action = form.get("action");
  if (action === "deny") {
    // WeChat sends the user back without a code; the state still comes back.
    return redirectReply(appendToRedirect(request.redirectUri, stateParam(request)));
  }
  if (action !== "allow") return errorPageReply({ reason: "action", message: "未知操作" });

  const userKey = form.get("user") ?? "";
  if (!world.userByKey(userKey)) return errorPageReply({ reason: "user", message: "请选择一位测试用户" });
  const code = world.grants.mintCode(userKey, "snsapi_userinfo", world.now());
  return redirectReply(appendToRedirect(request.redirectUri, [["code", code], ...stateParam(request)]), {
    "Set-Cookie": `${USER_COOKIE}=${encodeURIComponent(userKey)}; Path=/; HttpOnly; SameSite=Lax`,
  });
}

function stateParam(request: AuthorizeRequest): Array<[string, string]> {
  return request.state === undefined ? [] : [["state", request.state]];
}

function readCookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
