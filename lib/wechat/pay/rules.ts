/**
 * WeChat Pay v3's rules on what a merchant sends, checked before calling so that a bad order fails here
 * with a reason instead of as a PARAM_ERROR from WeChat Pay (docs/wechat-protocol.md, "WeChat Pay API v3").
 * Pure functions; the simulator enforces the same rules with code of its own.
 *
 * Lengths: WeChat Pay writes them as `string(127)` without saying characters or bytes. We count UTF-8
 * bytes, the stricter reading: a description we refuse could be shortened, one WeChat Pay refuses in
 * production is a lost sale.
 */

/** 6–32 of digits, letters and `_-|*`, unique per merchant. */
export const OUT_TRADE_NO_PATTERN = /^[0-9A-Za-z_\-|*]{6,32}$/;
/** 1–64 of digits, letters and `_-|*@`, unique per merchant; the same one twice refunds once. */
export const OUT_REFUND_NO_PATTERN = /^[0-9A-Za-z_\-|*@]{1,64}$/;
export const DESCRIPTION_MAX_BYTES = 127;
export const ATTACH_MAX_BYTES = 128;
export const REFUND_REASON_MAX_BYTES = 80;
export const NOTIFY_URL_MAX_BYTES = 256;
export const OPENID_MAX_BYTES = 128;
/** A prepay_id may be paid for 2 hours. */
export const PREPAY_TTL_SECONDS = 2 * 60 * 60;
/** At most 50 refunds per order, their sum never above what was paid. */
export const MAX_REFUNDS_PER_ORDER = 50;
/** A signed answer or notification whose timestamp is further than this from our clock is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/** WeChat Pay's probes carry a signature starting with this, deliberately wrong. */
export const SIGNTEST_PREFIX = "WECHATPAY/SIGNTEST/";
export const SIGNATURE_SCHEME = "WECHATPAY2-SHA256-RSA2048";
/** The only currency of a domestic merchant. */
export const CURRENCY = "CNY";

const bytes = (value: string) => Buffer.byteLength(value, "utf8");

export function isOutTradeNo(value: unknown): value is string {
  return typeof value === "string" && OUT_TRADE_NO_PATTERN.test(value);
}

export function isOutRefundNo(value: unknown): value is string {
  return typeof value === "string" && OUT_REFUND_NO_PATTERN.test(value);
}

/** An amount in fen: a positive safe integer (1 = ¥0.01). */
export function isAmount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/** Why `value` is not a usable notify_url (absolute http(s), no query or fragment, ≤ 256 bytes), or null. */
export function notifyUrlProblem(value: string): string | null {
  if (bytes(value) > NOTIFY_URL_MAX_BYTES) return `must be at most ${NOTIFY_URL_MAX_BYTES} bytes`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL";
  }
  // Real WeChat Pay wants https on a public host; http is allowed here for the simulator and local runs.
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be http(s)";
  if (url.search !== "" || value.includes("?")) return "must not carry a query string";
  if (url.hash !== "" || value.includes("#")) return "must not carry a fragment";
  if (url.username !== "" || url.password !== "") return "must not carry credentials";
  return null;
}

/** Why `text` is not a field of at most `max` UTF-8 bytes (and, unless `allowEmpty`, not empty), or null. */
export function textProblem(text: string, max: number, allowEmpty = false): string | null {
  if (!allowEmpty && text.trim() === "") return "must not be empty";
  if (bytes(text) > max) return `must be at most ${max} bytes (UTF-8)`;
  // Control characters have no business in an order text, and WeChat Pay's own pages cannot show them.
  if (/[\u0000-\u001f\u007f]/.test(text)) return "must not contain control characters";
  return null;
}

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const pad = (n: number) => String(n).padStart(2, "0");

/** RFC 3339 at +08:00, to the second, as WeChat Pay writes and wants times: `2026-01-15T16:00:00+08:00`. */
export function formatBeijingTime(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError("time must be a finite ms epoch");
  const d = new Date(Math.floor(ms / 1000) * 1000 + BEIJING_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+08:00`
  );
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The ms epoch of an RFC 3339 time with an explicit offset, or null when it is not one. */
export function parseRfc3339(value: string): number | null {
  const m = RFC3339.exec(value);
  if (!m) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March: compare the fields back.
  const offset =
    m[8] === "Z" ? 0 : (m[8]!.startsWith("-") ? -1 : 1) * (Number(m[8]!.slice(1, 3)) * 60 + Number(m[8]!.slice(4)));
  const local = new Date(ms + offset * 60_000);
  const same =
    local.getUTCFullYear() === Number(m[1]) &&
    local.getUTCMonth() + 1 === Number(m[2]) &&
    local.getUTCDate() === Number(m[3]) &&
    local.getUTCHours() === Number(m[4]) &&
    local.getUTCMinutes() === Number(m[5]);
  return same ? ms : null;
}
