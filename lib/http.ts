import "server-only";
// The HTTP edge: route() builds every API route handler; and the small adapters between route handlers
// and lib/: reading requests, building redirects and cookies.
import type { z } from "zod";
import { env } from "@/lib/env";
import {
  AppError,
  errorResponse,
  NO_STORE,
  PRIVATE_NO_STORE,
  type AppErrorCode,
  type ErrorOptions,
} from "@/lib/errors";

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function serializeCookie(name: string, value: string, options: { maxAge: number; path: string }): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
  ];
  if (env().secureCookies) parts.push("Secure");
  return parts.join("; ");
}

/**
 * The client's address, or null when nobody we trust says it. Each of our TRUST_PROXY_HOPS proxies
 * appends the address it was connected from to X-Forwarded-For, so the entry `hops` from the right is
 * what our outermost proxy saw; everything to its left came from the client and proves nothing. With no
 * proxy (0) there is nothing to believe: Next.js copies the socket's address into the header only when
 * the client sent none, so the header may be anything the client chose.
 */
export function clientIp(request: Request, hops: number = env().TRUST_PROXY_HOPS): string | null {
  if (hops < 1) return null;
  const chain = (request.headers.get("x-forwarded-for") ?? "").split(",");
  // Fewer entries than proxies: the request did not come through them all (a misconfiguration).
  if (chain.length < hops) return null;
  const address = chain[chain.length - hops]?.trim() ?? "";
  return address === "" || address.length > 64 ? null : address;
}

/** A 302 to a path on our origin (or to WeChat) that nobody caches. */
export function redirect(location: string, headers: Record<string, string> = {}): Response {
  const target = location.startsWith("/") ? env().APP_URL + location : location;
  return new Response(null, { status: 302, headers: { location: target, ...NO_STORE, ...headers } });
}

/**
 * State-changing requests must come from our own pages. SameSite=Lax already keeps the session cookie
 * off cross-site POSTs; checking Origin (or Referer) refuses them outright and says why.
 */
export function isSameOrigin(request: Request): boolean {
  const ours = new URL(env().APP_URL).origin;
  const origin = request.headers.get("origin");
  if (origin) return origin === ours;
  const referer = request.headers.get("referer");
  if (referer) {
    try {
      return new URL(referer).origin === ours;
    } catch {
      return false;
    }
  }
  // Non-browser clients send neither; without the session cookie they can do nothing anyway.
  return request.headers.get("sec-fetch-site") === null;
}

type RawParams = Record<string, string | string[]>;
/** What Next.js passes a route handler besides the request (tests may leave it out). */
export type RouteContext = { params: Promise<RawParams> };
export type RouteHandler = (request: Request, context?: RouteContext) => Promise<Response>;

export interface RouteSpec<P, Q, B, A> extends ErrorOptions {
  /** Checked first, before any parsing: who may call (throws an AppError otherwise); its result is `auth`. */
  readonly authorize?: (request: Request) => A | Promise<A>;
  /** A state-changing call of our own pages: a request from another site is 403 cross_site. */
  readonly sameOrigin?: boolean;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** The code a failed parse answers with; default bad_request with the schema's messages as `issues`. */
  readonly invalid?: AppErrorCode;
  /** A successful JSON answer is about a person: `private, no-store` instead of `no-store`. */
  readonly personal?: boolean;
  /** Status of a successful JSON answer (default 200). */
  readonly status?: number;
  /** The answer to a failure when it is not JSON (the login flow redirects to the error page). */
  readonly onError?: (err: unknown, context: Record<string, unknown>) => Response;
}

export interface RouteInput<P, Q, B, A> {
  readonly auth: A;
  /** parsed by `spec.params`, or as Next.js gave them */
  readonly params: P;
  readonly query: Q;
  readonly body: B;
}

const NO_INPUT = Object.freeze({});

function parsed<T>(schema: z.ZodType<T>, value: unknown, invalid: AppErrorCode | undefined): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalid ? new AppError(invalid, { cause: result.error }) : result.error;
}

async function readInput<P, Q, B, A>(
  spec: RouteSpec<P, Q, B, A>,
  request: Request,
  context: RouteContext | undefined,
): Promise<RouteInput<P, Q, B, A>> {
  const auth = (spec.authorize ? await spec.authorize(request) : undefined) as A;
  if (spec.sameOrigin && !isSameOrigin(request)) throw new AppError("cross_site");
  const raw = context?.params ? await context.params : {};
  const params = (spec.params ? parsed(spec.params, raw, spec.invalid) : raw) as P;
  const query = spec.query
    ? parsed(spec.query, Object.fromEntries(new URL(request.url).searchParams), spec.invalid)
    : (undefined as Q);
  let body = undefined as B;
  if (spec.body) {
    const json: unknown = await request.json().catch(() => {
      throw new AppError(spec.invalid ?? "bad_request", { detail: "body is not JSON" });
    });
    body = parsed(spec.body, json, spec.invalid);
  }
  return { auth, params, query, body };
}

/**
 * The one way an API route handler is built: authorize, parse (zod), call `handler`, answer. The
 * handler returns a Response, or a value sent as JSON with `no-store` (`private, no-store` when
 * personal). Whatever it throws is answered by errorResponse() (lib/errors.ts) or by `onError`, so
 * route files have no try/catch. A route without checks or schemas costs one call and nothing more.
 */
export function route<P = RawParams, Q = undefined, B = undefined, A = undefined>(
  spec: RouteSpec<P, Q, B, A>,
  handler: (request: Request, input: RouteInput<P, Q, B, A>) => Promise<unknown>,
): RouteHandler {
  const ok = { status: spec.status ?? 200, headers: spec.personal ? PRIVATE_NO_STORE : NO_STORE };
  const hasInput = Boolean(spec.authorize || spec.sameOrigin || spec.params || spec.query || spec.body);
  return async (request, context) => {
    try {
      const input = hasInput ? await readInput(spec, request, context) : (NO_INPUT as RouteInput<P, Q, B, A>);
      const result = await handler(request, input);
      return result instanceof Response ? result : Response.json(result, ok);
    } catch (err) {
      const where = { route: new URL(request.url).pathname, method: request.method };
      return spec.onError ? spec.onError(err, where) : errorResponse(err, where, spec);
    }
  };
}
