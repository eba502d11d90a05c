/**
 * The checks every follower, tag and blacklist route makes first, in WeChat's order: the basic
 * access_token (41001/40001/42001), then the method (43001/43002), then a JSON object body (47001).
 */
import { wxError, type ApiBody } from "../errors";
import { upstream, type Route, type UpstreamRequest } from "../http/router";
import { parseJsonBody, type SimCore } from "../surface";
import type { BasicTokens } from "./basic-token";

export interface CgiRoutes {
  get(path: string, run: (req: UpstreamRequest) => ApiBody | Promise<ApiBody>): Route;
  /** POST with a JSON object body (`allowGet`: user/tag/get also takes GET with the same JSON body). */
  post(path: string, run: (body: Record<string, unknown>) => ApiBody | Promise<ApiBody>, allowGet?: boolean): Route;
}

export function cgiRoutes(core: SimCore, tokens: BasicTokens): CgiRoutes {
  return {
    get: (path, run) =>
      upstream(path, (req) => {
        const denied = tokens.check(req.query.get("access_token"));
        if (denied) return denied;
        if (req.method !== "GET") return wxError(43001, core.now());
        return run(req);
      }),
    post: (path, run, allowGet = false) =>
      upstream(path, (req) => {
        const denied = tokens.check(req.query.get("access_token"));
        if (denied) return denied;
        if (req.method !== "POST" && !(allowGet && req.method === "GET")) return wxError(43002, core.now());
        const body = parseJsonBody(req.body);
        if (!body) return wxError(47001, core.now());
        return run(body);
      }),
  };
}
