// The security headers of one page request, for proxy.ts: the policy of lib/csp.ts filled in with this
// deployment's settings and, for a prerendered page (or the prerendered 404 of an address no route has),
// the hashes of its own inline scripts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { avatarOrigins } from "@/lib/avatar";
import { contentSecurityPolicy, inlineHashes, newNonce, strictTransportSecurity } from "@/lib/csp";
import { env } from "@/lib/env";
import { simulatorBridgeUrl } from "@/lib/pay/settings";

export interface PageSecurity {
  /** The nonce Next.js must put on its scripts (null: the page is prerendered and has none). */
  readonly nonce: string | null;
  /** Response headers (Content-Security-Policy, and Strict-Transport-Security on https). */
  readonly headers: Record<string, string>;
}

type Hashes = { scripts: string[]; styles: string[] };

interface Build {
  readonly distDir: string;
  /** Prerendered pages, with their hashes once read (null: not read yet). */
  readonly pages: Map<string, Hashes | null>;
  /** Every route of the build (pages and route handlers), or null when unknown (`next dev`, no build). */
  readonly routes: readonly RegExp[] | null;
}
let build: Build | undefined;

/** What `next build` wrote that the policy depends on, read once per process. */
function readBuild(): Build {
  if (build) return build;
  const distDir = path.join(process.cwd(), process.env.NEXT_DIST_DIR || ".next");
  const pages = new Map<string, Hashes | null>();
  let routes: RegExp[] | null = null;
  // `next dev` renders every page per request: all of them carry the nonce.
  if (process.env.NODE_ENV === "production") {
    const json = (file: string) => JSON.parse(readFileSync(path.join(distDir, file), "utf8")) as unknown;
    try {
      const manifest = json("prerender-manifest.json") as { routes?: Record<string, unknown> };
      for (const page of Object.keys(manifest.routes ?? {})) pages.set(page, null);
    } catch {
      // No manifest: nothing is known to be prerendered.
    }
    try {
      const manifest = json("routes-manifest.json") as {
        staticRoutes?: { regex: string }[];
        dynamicRoutes?: { regex: string }[];
      };
      routes = [...(manifest.staticRoutes ?? []), ...(manifest.dynamicRoutes ?? [])].map((r) => new RegExp(r.regex));
    } catch {
      // No manifest: every address is taken to have a route (the nonce policy).
    }
  }
  build = { distDir, pages, routes };
  return build;
}

/**
 * The hashes of a prerendered page's inline scripts and styles, or undefined when `next build` did not
 * prerender it (its HTML is served as built, so it can carry no nonce). Read once per process and page.
 */
function prerenderedHashes(route: string): Hashes | undefined {
  const { distDir, pages } = readBuild();
  if (!pages.has(route)) return undefined;
  let hashes = pages.get(route);
  if (!hashes) {
    try {
      hashes = inlineHashes(
        readFileSync(path.join(distDir, "server", "app", `${route === "/" ? "/index" : route}.html`), "utf8"),
      );
    } catch {
      hashes = { scripts: [], styles: [] };
    }
    pages.set(route, hashes);
  }
  return hashes;
}

/** Whether the build has no route for `pathname`: Next.js then answers with its 404 page. */
function hasNoRoute(pathname: string): boolean {
  const { routes } = readBuild();
  return routes !== null && !routes.some((route) => route.test(pathname));
}

/** The simulator's origin when the cashier loads its WeixinJSBridge stand-in, else null. */
function bridgeOrigin(settings: ReturnType<typeof env>["pay"]): string | null {
  const url = simulatorBridgeUrl(settings);
  return url === null ? null : new URL(url).origin;
}

/** The headers (and nonce) of a request for the page at `pathname`. */
export function pageSecurity(pathname: string): PageSecurity {
  const e = env();
  const hashes = prerenderedHashes(pathname);
  const nonce = hashes ? null : newNonce();
  // An address no route has gets Next's 404, prerendered as /_not-found (its bytes carry no nonce) unless
  // the 404 page renders per request: a policy that lets either run (lib/csp.ts).
  const notFound = !hashes && hasNoRoute(pathname) ? prerenderedHashes("/_not-found") : undefined;
  // /cards/<id> calls wx.addCard: WeChat's JS-SDK, or the simulator's stand-in of it (simulator/README.md).
  const offersCard = pathname.startsWith("/cards/");
  const headers: Record<string, string> = {
    "Content-Security-Policy": contentSecurityPolicy({
      nonce,
      scriptHashes: (hashes ?? notFound)?.scripts,
      styleHashes: (hashes ?? notFound)?.styles,
      development: process.env.NODE_ENV === "development",
      wechatJssdk: (pathname === "/me" || offersCard) && !e.usesSimulator,
      payBridgeOrigin: /^\/pay\/[^/]+$/.test(pathname) ? bridgeOrigin(e.pay) : null,
      simulatorOrigin: offersCard && e.usesSimulator ? e.WECHAT_OAUTH_BASE : null,
      imgOrigins: [...avatarOrigins()],
      inlineStyles: pathname === "/admin" || pathname.startsWith("/admin/"),
    }),
  };
  const hsts = strictTransportSecurity(e.APP_URL);
  if (hsts) headers["Strict-Transport-Security"] = hsts;
  return { nonce, headers };
}
