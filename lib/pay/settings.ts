// WeChat Pay's configuration (WECHAT_PAY_*, PAY_*), judged at start-up by lib/env.ts: which of the three
// ways payments run (off, against the simulator with the keys it hands out, or as a real merchant), the
// keys loaded once (a PEM, or a path to one), and the origins orders may send people back to or call.
// The keys end up in a closure (`PayMerchant.keys()`): the settings object itself holds no secret, so
// printing or serialising the configuration shows none.
import fs from "node:fs";
import type { KeyObject } from "node:crypto";
import { apiV3KeyBytes, loadPrivateKey, loadPublicKey } from "@/lib/wechat/pay/crypto";

export const REAL_PAY_BASE = "https://api.mch.weixin.qq.com";
export const REAL_PAY_BACKUP_BASE = "https://api2.mch.weixin.qq.com";

/** The six variables a real merchant sets together (all or none). */
export const MERCHANT_VARIABLES = [
  "WECHAT_PAY_MCHID",
  "WECHAT_PAY_PRIVATE_KEY",
  "WECHAT_PAY_CERT_SERIAL",
  "WECHAT_PAY_API_V3_KEY",
  "WECHAT_PAY_PUBLIC_KEY",
  "WECHAT_PAY_PUBLIC_KEY_ID",
] as const;
export type MerchantVariable = (typeof MERCHANT_VARIABLES)[number];

export interface PayMerchantKeys {
  readonly privateKey: KeyObject;
  readonly apiV3Key: string;
  readonly publicKey: KeyObject;
}

export interface PayMerchant {
  readonly mchid: string;
  readonly serialNo: string;
  readonly publicKeyId: string;
  /** The keys, out of any enumerable property. */
  keys(): PayMerchantKeys;
}

/**
 * - off: no merchant configured and WECHAT_PAY_BASE is WeChat Pay itself: the pay routes answer pay_disabled;
 * - simulator: no merchant configured and WECHAT_PAY_BASE is elsewhere (the simulator, `npm run dev`'s
 *   default): the merchant's settings are read from its `GET /__sim/pay/merchant`;
 * - merchant: all six WECHAT_PAY_* merchant variables set.
 */
export type PaySettings =
  | { readonly mode: "off" }
  | { readonly mode: "simulator"; readonly base: string }
  | {
      readonly mode: "merchant";
      readonly base: string;
      readonly backup: string | undefined;
      readonly merchant: PayMerchant;
    };

export interface PayVariables {
  readonly WECHAT_PAY_MCHID?: string;
  readonly WECHAT_PAY_PRIVATE_KEY?: string;
  readonly WECHAT_PAY_CERT_SERIAL?: string;
  readonly WECHAT_PAY_API_V3_KEY?: string;
  readonly WECHAT_PAY_PUBLIC_KEY?: string;
  readonly WECHAT_PAY_PUBLIC_KEY_ID?: string;
  readonly WECHAT_PAY_BASE: string;
}

export interface PayProblem {
  readonly variable: string;
  readonly message: string;
}

const trimBase = (base: string) => base.replace(/\/+$/, "");

/** A PEM given inline, or the file a path names; null when neither (the message names the variable). */
function pemOf(value: string, readFile: (path: string) => string): string | null {
  if (value.includes("-----BEGIN")) return value.replace(/\\n/g, "\n");
  try {
    return readFile(value);
  } catch {
    return null;
  }
}

/** Reads a file as text (a PEM path). */
export const readTextFile = (path: string): string => fs.readFileSync(path, "utf8");

/** The pay settings, or what is wrong with them, each problem naming its variable. Never quotes a key. */
export function resolvePaySettings(
  vars: PayVariables,
  readFile: (path: string) => string = readTextFile,
): { settings: PaySettings; problems: PayProblem[] } {
  const set = MERCHANT_VARIABLES.filter((name) => vars[name] !== undefined);
  const base = trimBase(vars.WECHAT_PAY_BASE);
  const isReal = base === REAL_PAY_BASE || base === REAL_PAY_BACKUP_BASE;
  if (set.length === 0) {
    return { settings: isReal ? { mode: "off" } : { mode: "simulator", base }, problems: [] };
  }
  const problems: PayProblem[] = MERCHANT_VARIABLES.filter((name) => vars[name] === undefined).map((variable) => ({
    variable,
    message: `${variable} is required with the other WECHAT_PAY_* variables (${set.join(", ")} set)`,
  }));
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject | undefined;
  if (vars.WECHAT_PAY_PRIVATE_KEY !== undefined) {
    const pem = pemOf(vars.WECHAT_PAY_PRIVATE_KEY, readFile);
    try {
      if (pem === null) throw new TypeError("unreadable");
      privateKey = loadPrivateKey(pem);
    } catch {
      problems.push({
        variable: "WECHAT_PAY_PRIVATE_KEY",
        message:
          "WECHAT_PAY_PRIVATE_KEY must be the merchant's RSA private key (apiclient_key.pem): its PEM, or a readable path to it",
      });
    }
  }
  if (vars.WECHAT_PAY_PUBLIC_KEY !== undefined) {
    const pem = pemOf(vars.WECHAT_PAY_PUBLIC_KEY, readFile);
    try {
      if (pem === null) throw new TypeError("unreadable");
      publicKey = loadPublicKey(pem);
    } catch {
      problems.push({
        variable: "WECHAT_PAY_PUBLIC_KEY",
        message:
          "WECHAT_PAY_PUBLIC_KEY must be WeChat Pay's RSA public key (微信支付公钥): its PEM, or a readable path to it",
      });
    }
  }
  if (vars.WECHAT_PAY_API_V3_KEY !== undefined) {
    try {
      apiV3KeyBytes(vars.WECHAT_PAY_API_V3_KEY);
    } catch {
      problems.push({
        variable: "WECHAT_PAY_API_V3_KEY",
        message: "WECHAT_PAY_API_V3_KEY must be 32 bytes (the APIv3 key)",
      });
    }
  }
  if (problems.length > 0 || !privateKey || !publicKey) return { settings: { mode: "off" }, problems };
  const keys: PayMerchantKeys = Object.freeze({ privateKey, publicKey, apiV3Key: vars.WECHAT_PAY_API_V3_KEY! });
  const merchant: PayMerchant = Object.freeze({
    mchid: vars.WECHAT_PAY_MCHID!,
    serialNo: vars.WECHAT_PAY_CERT_SERIAL!,
    publicKeyId: vars.WECHAT_PAY_PUBLIC_KEY_ID!,
    keys: () => keys,
  });
  // WeChat Pay's own host fails over to its twin; any other base (a sandbox, the simulator) stands alone.
  const backup = base === REAL_PAY_BASE ? REAL_PAY_BACKUP_BASE : undefined;
  return { settings: Object.freeze({ mode: "merchant", base, backup, merchant }), problems: [] };
}

/**
 * PAY_ALLOWED_ORIGINS: comma- or space-separated origins (`https://shop.example.com`), each exactly an
 * origin (no path, query or credentials). Returns the normalised origins, or the offending entry.
 */
export function parseAllowedOrigins(value: string | undefined): { origins: string[]; problem: string | null } {
  const origins: string[] = [];
  for (const entry of (value ?? "").split(/[\s,]+/).filter((e) => e !== "")) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return { origins, problem: `"${entry.slice(0, 100)}" is not an origin such as https://shop.example.com` };
    }
    const bare = url.pathname === "/" && url.search === "" && url.hash === "" && !/[?#]/.test(entry);
    if ((url.protocol !== "https:" && url.protocol !== "http:") || !bare || url.username || url.password) {
      return { origins, problem: `"${entry.slice(0, 100)}" must be only an origin: http(s)://host[:port]` };
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return { origins, problem: null };
}

/**
 * The simulator's WeixinJSBridge stand-in (`/__sim/pay/bridge.js`) when payments go to the simulator (a
 * pay base other than WeChat Pay's own hosts), else null. The cashier loads it, and its page's
 * Content-Security-Policy allows its origin, only then: inside WeChat the client provides the bridge.
 */
export function simulatorBridgeUrl(settings: PaySettings): string | null {
  if (settings.mode === "off") return null;
  if (settings.base === REAL_PAY_BASE || settings.base === REAL_PAY_BACKUP_BASE) return null;
  return `${settings.base}/__sim/pay/bridge.js`;
}

/**
 * Whether /me offers 体验支付 ¥0.01: only when no merchant of ours is configured and the simulator plays
 * WeChat Pay (`npm run dev`, the browser tests), so no real money can move; never with a merchant, never
 * with payments off.
 */
export function payTrialOffered(settings: PaySettings): boolean {
  return settings.mode === "simulator";
}
