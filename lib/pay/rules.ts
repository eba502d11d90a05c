// The pay product's pure rules: our numbers for WeChat Pay (out_trade_no, out_refund_no), where an
// order may send people and webhooks, the webhooks' signature and retry schedule, and when the sweep
// asks WeChat Pay about an order. No I/O.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { formatBeijingTime, isOutRefundNo, isOutTradeNo } from "@/lib/wechat/pay/rules";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function randomAlnum(randomBytes: (n: number) => Uint8Array, length: number): string {
  let out = "";
  while (out.length < length) {
    // 252 = 36 * 7: bytes above would favour the first characters.
    for (const byte of randomBytes(length)) if (byte < 252 && out.length < length) out += ALNUM[byte % 36];
  }
  return out;
}

/** `<prefix><Beijing yyyyMMddHHmmss><12 random>`: 28 characters, sortable by time. */
function number(prefix: string, now: Date, randomBytes: (n: number) => Uint8Array): string {
  return `${prefix}${formatBeijingTime(now.getTime()).slice(0, 19).replace(/\D/g, "")}${randomAlnum(randomBytes, 12)}`;
}

export function newOutTradeNo(now: Date, randomBytes: (n: number) => Uint8Array): string {
  const no = number("WP", now, randomBytes);
  if (!isOutTradeNo(no)) throw new Error("out_trade_no out of shape");
  return no;
}

export function newOutRefundNo(now: Date, randomBytes: (n: number) => Uint8Array): string {
  const no = number("RF", now, randomBytes);
  if (!isOutRefundNo(no)) throw new Error("out_refund_no out of shape");
  return no;
}

/** Whether `value` is an absolute http(s) URL without credentials on one of `origins`. */
export function onAllowedOrigin(value: string, origins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return false;
  if (url.username !== "" || url.password !== "") return false;
  return origins.includes(url.origin);
}

/** sha256 of a request's JSON with its keys sorted: a reused idempotency key with another request differs. */
export function requestHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("hex");
}

/** The webhook headers (documented in the README). */
export const WEBHOOK_HEADERS = {
  id: "wcuc-webhook-id",
  event: "wcuc-webhook-event",
  timestamp: "wcuc-webhook-timestamp",
  signature: "wcuc-webhook-signature",
} as const;

/** `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.${body}`), timestamp in seconds. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** A receiver's check: the signature in constant time, the timestamp within `toleranceSeconds` of `nowSeconds`. */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | null; signature: string | null },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!headers.timestamp || !headers.signature || !/^\d{1,12}$/.test(headers.timestamp)) return false;
  const timestamp = Number(headers.timestamp);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A webhook is retried until a 2xx for this long after it was made. */
export const WEBHOOK_WINDOW_MS = 24 * 3600_000;
const WEBHOOK_FIRST_RETRY_MS = 30_000;
const WEBHOOK_MAX_DELAY_MS = 4 * 3600_000;

/**
 * When to try a webhook again after its `attempts`-th failed attempt: 30 s, doubling, at most 4 hours
 * apart, the last one at 24 hours; null when the 24 hours are over (it has failed).
 */
export function nextWebhookAttempt(createdAt: Date, attempts: number, now: Date): Date | null {
  const end = createdAt.getTime() + WEBHOOK_WINDOW_MS;
  if (now.getTime() >= end) return null;
  const delay = Math.min(WEBHOOK_FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), WEBHOOK_MAX_DELAY_MS);
  return new Date(Math.min(now.getTime() + delay, end));
}

/** The first query after a prepay, in case no notification comes. */
export const FIRST_CHECK_AFTER_PREPAY_MS = 5 * 60_000;
/** The query before the expiry. */
export const CHECK_BEFORE_EXPIRY_MS = 2 * 60_000;

/** When an unpaid order is asked about next after a check at `now`: before its expiry, then at it (to close it). */
export function nextOrderCheck(now: Date, expiresAt: Date): Date {
  const before = expiresAt.getTime() - CHECK_BEFORE_EXPIRY_MS;
  return new Date(now.getTime() < before ? before : Math.max(expiresAt.getTime(), now.getTime() + 60_000));
}
