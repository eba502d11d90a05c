import "server-only";
// Small adapters between route handlers and lib/: reading requests, building redirects and cookies.
import { env } from "@/lib/env";

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
  return new Response(null, { status: 302, headers: { location: target, "cache-control": "no-store", ...headers } });
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
