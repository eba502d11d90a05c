/**
 * JS-SDK `wx.config` for an H5 page: the signature is sha1 of
 * `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, keys in that (ASCII) order, over the page URL
 * without its `#` part. Only pages of our own origin are signed: a signature for any URL would let
 * another site use our account's JS-SDK permissions.
 */
import { createHash } from "node:crypto";

export interface JssdkConfig {
  readonly appId: string;
  /** seconds */
  readonly timestamp: number;
  readonly nonceStr: string;
  readonly signature: string;
}

export function jssdkSignature(args: { ticket: string; nonceStr: string; timestamp: number; url: string }): string {
  const text = `jsapi_ticket=${args.ticket}&noncestr=${args.nonceStr}&timestamp=${args.timestamp}&url=${args.url}`;
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/**
 * The URL to sign (the fragment removed) when `pageUrl` is an http(s) page of `appOrigin`;
 * undefined otherwise. The string is kept as the browser sent it (location.href.split('#')[0]):
 * re-serialising it could change the escaping and so the signature.
 */
export function signableUrl(pageUrl: string, appOrigin: string): string | undefined {
  if (typeof pageUrl !== "string" || pageUrl.length > 2048) return undefined;
  const withoutFragment = pageUrl.split("#")[0] ?? "";
  let parsed: URL;
  let origin: URL;
  try {
    parsed = new URL(withoutFragment);
    origin = new URL(appOrigin);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return undefined;
  if (parsed.origin !== origin.origin || parsed.username !== "" || parsed.password !== "") return undefined;
  // A URL with control characters or spaces is not one a browser sends.
  if (/[\s\u0000-\u001f\u007f]/.test(withoutFragment)) return undefined;
  return withoutFragment;
}

const NONCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 16 alphanumeric characters (WeChat's examples use this shape; anything up to 32 works). */
export function nonceStr(randomBytes: (n: number) => Uint8Array, length = 16): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= 248) continue; // 62 * 4: keeps every character equally likely
      out += NONCE_ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function createJssdkConfig(args: {
  appId: string;
  ticket: string;
  url: string;
  nowMs: number;
  randomBytes: (n: number) => Uint8Array;
}): JssdkConfig {
  const timestamp = Math.floor(args.nowMs / 1000);
  const nonce = nonceStr(args.randomBytes);
  return Object.freeze({
    appId: args.appId,
    timestamp,
    nonceStr: nonce,
    signature: jssdkSignature({ ticket: args.ticket, nonceStr: nonce, timestamp, url: args.url }),
  });
}
