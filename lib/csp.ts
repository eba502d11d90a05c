// The Content-Security-Policy of our pages, and the other per-deployment security headers, as pure
// functions of what a page needs (proxy.ts computes the inputs and sets the headers; README, "Security").
//
// A page rendered per request carries a fresh nonce: Next.js reads it from the request's
// Content-Security-Policy header and puts it on every script it writes, and 'strict-dynamic' lets those
// scripts load the chunks (and /me its JS-SDK) they need, while no script an attacker writes into the page
// runs. A prerendered page (the same bytes for every request, so no nonce) names its own inline scripts by
// hash instead, and Next's chunks by 'self'. An address no route has may be answered either way (Next's
// prerendered 404, or a 404 rendered per request): its policy allows both.
import { createHash } from "node:crypto";

/**
 * WeChat's JS-SDK (jweixin 1.6.0), loaded by /me inside WeChat against the real WeChat only, and every host
 * it makes the page reach. Read from its source: the script itself; after wx.config, on a phone (not in
 * debug mode, not in WeChat's desktop or devtools), one report of its init and verify times, appId and page
 * URL as `new Image().src` on open.weixin.qq.com/sdk/report. Nothing else: every call goes to the WeChat
 * client through the WeixinJSBridge it injects (no fetch or XHR, no frames, no eval), and the share card's
 * image is fetched by the client, not the page. Its only other picture is a chooseImage photo shown as a
 * `data:` URL (already allowed), which /me never asks for.
 */
export const WECHAT_JSSDK = {
  scriptOrigin: "https://res.wx.qq.com",
  reportOrigin: "https://open.weixin.qq.com",
} as const;

export interface PolicyInput {
  /** The request's nonce, or null for a prerendered page (then `scriptHashes` name its inline scripts). */
  readonly nonce: string | null;
  /**
   * 'sha256-…' sources of a prerendered page's inline scripts. With a nonce as well, the answer may be
   * either that prerendered page or one rendered for this request (an address no route has: Next's 404):
   * the policy allows both, by nonce, hash and 'self', without 'strict-dynamic' (which would make a
   * browser ignore 'self', and so the prerendered page's chunks).
   */
  readonly scriptHashes?: readonly string[];
  /** 'sha256-…' sources of a prerendered page's inline <style> elements. */
  readonly styleHashes?: readonly string[];
  /** `next dev`: React's dev tools need eval (never in production). */
  readonly development: boolean;
  /**
   * The page loads WeChat's JS-SDK (/me against the real WeChat): its script host (which 'strict-dynamic'
   * already allows once a nonced script adds it: a CSP 2 browser's fallback) and its report's image host.
   */
  readonly wechatJssdk?: boolean;
  /**
   * The cashier (/pay/<id>) against the simulator: the origin of its WeixinJSBridge stand-in, which the
   * page loads (script-src, for a CSP 2 browser; 'strict-dynamic' already lets the nonced loader add it)
   * and which calls its own origin (connect-src). Never set against WeChat Pay.
   */
  readonly payBridgeOrigin?: string | null;
  /**
   * The simulator's origin, for a page that loads its stand-in of a WeChat client API against it (the
   * wx.addCard stand-in on /cards/<id>): allowed as a script host and for the stand-in's calls.
   */
  readonly simulatorOrigin?: string | null;
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
  const jssdk = unique([
    ...(input.wechatJssdk ? [WECHAT_JSSDK.scriptOrigin] : []),
    ...(input.payBridgeOrigin ? [input.payBridgeOrigin] : []),
    ...(input.simulatorOrigin ? [input.simulatorOrigin] : []),
  ]);
  const scripts =
    input.nonce === null
      ? ["'self'", ...quoted(input.scriptHashes)]
      : input.scriptHashes
        ? [...nonce, "'self'", ...quoted(input.scriptHashes), ...jssdk]
        : [...nonce, "'strict-dynamic'", "'self'", ...jssdk];
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
    [
      "img-src",
      "'self'",
      "data:",
      ...unique([...input.imgOrigins, ...(input.wechatJssdk ? [WECHAT_JSSDK.reportOrigin] : [])]),
    ],
    ["font-src", "'self'", "data:"],
    [
      "connect-src",
      "'self'",
      ...unique([
        ...(input.payBridgeOrigin ? [input.payBridgeOrigin] : []),
        ...(input.simulatorOrigin ? [input.simulatorOrigin] : []),
      ]),
    ],
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
