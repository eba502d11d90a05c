// The Content-Security-Policy of our pages, and the other per-deployment security headers, as pure
// functions of what a page needs (proxy.ts computes the inputs and sets the headers; README, "Security").
//
// A page rendered per request carries a fresh nonce: Next.js reads it from the request's
// Content-Security-Policy header and puts it on every script it writes, and 'strict-dynamic' lets those
// scripts load the chunks (and /me its JS-SDK) they need, while no script an attacker writes into the page
// runs. A prerendered page (the same bytes for every request, so no nonce) names its own inline scripts by
// hash instead, and Next's chunks by 'self'.
import { createHash } from "node:crypto";

/** WeChat's JS-SDK (jweixin), loaded by /me inside WeChat against the real WeChat only. */
export const WECHAT_JSSDK_ORIGIN = "https://res.wx.qq.com";

export interface PolicyInput {
  /** The request's nonce, or null for a prerendered page (then `scriptHashes` name its inline scripts). */
  readonly nonce: string | null;
  /** 'sha256-…' sources of a prerendered page's inline scripts. */
  readonly scriptHashes?: readonly string[];
  /** 'sha256-…' sources of a prerendered page's inline <style> elements. */
  readonly styleHashes?: readonly string[];
  /** `next dev`: React's dev tools need eval (never in production). */
  readonly development: boolean;
  /** Extra script origins (only /me's JS-SDK; with 'strict-dynamic' they are a CSP 2 browser's fallback). */
  readonly scriptOrigins?: readonly string[];
  /** Origins pictures may come from besides our own: WeChat's avatar hosts (and the simulator's). */
  readonly imgOrigins: readonly string[];
  /**
   * The page's styles are Ant Design's, which writes <style> elements that carry no nonce (see the
   * README): such pages allow inline styles. Otherwise <style> elements need the nonce (or a hash).
   */
  readonly inlineStyles?: boolean;
}

/** The Content-Security-Policy header's value. */
export function contentSecurityPolicy(input: PolicyInput): string {
  const nonce = input.nonce === null ? [] : [`'nonce-${input.nonce}'`];
  const scripts =
    input.nonce === null
      ? ["'self'", ...quoted(input.scriptHashes)]
      : [...nonce, "'strict-dynamic'", "'self'", ...(input.scriptOrigins ?? [])];
  if (input.development) scripts.push("'unsafe-eval'");
  // `next dev` writes <style> elements of its own (fast refresh, the error overlay) without the nonce.
  const styles =
    input.inlineStyles || input.development
      ? ["'self'", "'unsafe-inline'"]
      : ["'self'", ...nonce, ...quoted(input.styleHashes)];
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    ["script-src", ...scripts],
    ["style-src", ...styles],
    // style="" attributes (React writes them; Ant Design's layout uses them): no nonce can mark them, and
    // they cannot run code or load anything img-src/font-src would not allow.
    ["style-src-attr", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", ...unique(input.imgOrigins)],
    ["font-src", "'self'", "data:"],
    ["connect-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["frame-ancestors", "'none'"],
    ["form-action", "'self'"],
  ];
  return directives.map((d) => d.join(" ")).join("; ");
}

/** Strict-Transport-Security for an https deployment (a year, subdomains too), none over plain http. */
export function strictTransportSecurity(appUrl: string): string | null {
  return appUrl.startsWith("https://") ? "max-age=31536000; includeSubDomains" : null;
}

/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("base64");
}

/**
 * The 'sha256-…' sources of an HTML document's inline scripts and styles (a prerendered page's), as a
 * browser hashes them: the element's text exactly as written between its tags.
 */
export function inlineHashes(html: string): { scripts: string[]; styles: string[] } {
  const hash = (text: string) => `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
  const collect = (tag: string, skip: RegExp) => {
    const found = new Set<string>();
    for (const m of html.matchAll(new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "gi"))) {
      const attributes = m[1] ?? "";
      const text = m[2] ?? "";
      if (skip.test(attributes) || text === "") continue;
      found.add(hash(text));
    }
    return [...found];
  };
  // A script with src runs the file, not its text; a JSON data block never runs.
  return { scripts: collect("script", /\ssrc=|type="application\/(ld\+)?json"/i), styles: collect("style", /$^/) };
}

function quoted(sources: readonly string[] | undefined): string[] {
  return unique(sources ?? []).map((s) => `'${s}'`);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
