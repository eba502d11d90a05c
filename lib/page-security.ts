// The security headers of one page request, for proxy.ts: the policy of lib/csp.ts filled in with this
// deployment's settings and, for a prerendered page, the hashes of its own inline scripts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { avatarOrigins } from "@/lib/avatar";
import { contentSecurityPolicy, inlineHashes, newNonce, strictTransportSecurity } from "@/lib/csp";
import { env } from "@/lib/env";

export interface PageSecurity {
  /** The nonce Next.js must put on its scripts (null: the page is prerendered and has none). */
  readonly nonce: string | null;
  /** Response headers (Content-Security-Policy, and Strict-Transport-Security on https). */
  readonly headers: Record<string, string>;
}

type Hashes = { scripts: string[]; styles: string[] };
let prerendered: { distDir: string; pages: Map<string, Hashes | null> } | undefined;

/**
 * The hashes of a prerendered page's inline scripts and styles, or undefined when `next build` did not
 * prerender it (its HTML is served as built, so it can carry no nonce). Read once per process and page.
 */
function prerenderedHashes(route: string): Hashes | undefined {
  if (!prerendered) {
    const distDir = path.join(process.cwd(), process.env.NEXT_DIST_DIR || ".next");
    const pages = new Map<string, Hashes | null>();
    // `next dev` renders every page per request: all of them carry the nonce.
    if (process.env.NODE_ENV === "production") {
      try {
        const manifest = JSON.parse(readFileSync(path.join(distDir, "prerender-manifest.json"), "utf8")) as {
          routes?: Record<string, unknown>;
        };
        for (const page of Object.keys(manifest.routes ?? {})) pages.set(page, null);
      } catch {
        // No manifest: nothing is known to be prerendered.
      }
    }
    prerendered = { distDir, pages };
  }
  const { distDir, pages } = prerendered;
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

/** The headers (and nonce) of a request for the page at `pathname`. */
export function pageSecurity(pathname: string): PageSecurity {
  const e = env();
  const hashes = prerenderedHashes(pathname);
  const nonce = hashes ? null : newNonce();
  const headers: Record<string, string> = {
    "Content-Security-Policy": contentSecurityPolicy({
      nonce,
      scriptHashes: hashes?.scripts,
      styleHashes: hashes?.styles,
      development: process.env.NODE_ENV === "development",
      wechatJssdk: pathname === "/me" && !e.usesSimulator,
      imgOrigins: [...avatarOrigins()],
      inlineStyles: pathname === "/admin" || pathname.startsWith("/admin/"),
    }),
  };
  const hsts = strictTransportSecurity(e.APP_URL);
  if (hsts) headers["Strict-Transport-Security"] = hsts;
  return { nonce, headers };
}
