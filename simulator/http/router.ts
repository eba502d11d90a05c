/**
 * Method + path -> handler, declared as data by each surface. Two kinds of route sit on it: WeChat's
 * JSON APIs (`upstream`: any method, since WeChat answers a wrong one with an errcode and HTTP 200) and
 * the /__sim controls (`control`: JSON in and out, bad input answered with 400).
 */
import type { IncomingHttpHeaders } from "node:http";
import { SimulatorInputError, type ApiBody } from "../errors";
import { apiReply, jsonReply, nginxError, type Reply } from "./reply";

export type Method = "GET" | "POST";

export interface SimRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The query string exactly as received, without the leading `?`. */
  readonly rawQuery: string;
  /** The body as text; WeChat's POST APIs take JSON. */
  readonly body: string;
  /** The body's bytes (media/uploadimg's multipart image). */
  readonly rawBody: Buffer;
  readonly headers: IncomingHttpHeaders;
  /** The groups of a RegExp path. */
  readonly params: readonly string[];
}

/** What a WeChat API handler reads. */
export type UpstreamRequest = Pick<SimRequest, "method" | "query" | "body" | "rawBody" | "headers">;

export type Handler = (req: SimRequest) => Reply | Promise<Reply>;

export interface Route {
  /** "any": the handler answers every method itself. Otherwise others get 405 with Allow. */
  readonly methods: readonly Method[] | "any";
  readonly path: string | RegExp;
  readonly handle: Handler;
}

export const route = (methods: Route["methods"], path: Route["path"], handle: Handler): Route => ({
  methods,
  path,
  handle,
});

/** An api.weixin.qq.com route: every outcome is a JSON body sent as text/plain with HTTP 200. */
export const upstream = (path: string, handle: (req: UpstreamRequest) => ApiBody | Promise<ApiBody>): Route =>
  route("any", path, async (req) => apiReply(await handle(req)));

export type ControlInput = Record<string, unknown>;

/** A /__sim route. `run` throws SimulatorInputError for bad input; a POST's body must be a JSON object. */
export function control(
  method: Method,
  path: string,
  run: (input: ControlInput, query: URLSearchParams) => unknown,
): Route {
  return route([method], path, async (req) => {
    try {
      const input = method === "POST" ? parseJsonObject(req.body) : {};
      return jsonReply(200, await run(input, req.query));
    } catch (error) {
      if (error instanceof SimulatorInputError) return jsonReply(400, { ok: false, error: error.message });
      throw error;
    }
  });
}

export class Router {
  private readonly exact = new Map<string, Route>();
  private readonly patterns: Route[] = [];

  constructor(
    routes: readonly Route[],
    private readonly notFound: Handler,
  ) {
    for (const r of routes) {
      if (typeof r.path !== "string") this.patterns.push(r);
      else if (this.exact.has(r.path)) throw new Error(`two routes for ${r.path}`);
      else this.exact.set(r.path, r);
    }
  }

  handle(req: SimRequest): Reply | Promise<Reply> {
    let found = this.exact.get(req.path);
    let params: string[] = [];
    for (const r of found ? [] : this.patterns) {
      const match = (r.path as RegExp).exec(req.path);
      if (match) {
        found = r;
        params = match.slice(1).map((group) => group ?? "");
        break;
      }
    }
    if (!found) return this.notFound(req);
    if (found.methods !== "any" && !found.methods.includes(req.method as Method)) {
      return nginxError(405, { Allow: found.methods.join(", ") });
    }
    return found.handle({ ...req, params });
  }
}

function parseJsonObject(body: string): ControlInput {
  if (body.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new SimulatorInputError("body must be JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SimulatorInputError("body must be a JSON object");
  }
  return value as ControlInput;
}
