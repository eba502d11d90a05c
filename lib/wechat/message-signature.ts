/**
 * Signatures of the message endpoint (服务器配置). WeChat signs every request to the endpoint with
 * sha1(sort([token, timestamp, nonce]).join("")) in `signature`, and in safe mode also the ciphertext:
 * sha1(sort([token, timestamp, nonce, Encrypt]).join("")) in `msg_signature`. The same function signs
 * our encrypted replies (`MsgSignature`).
 *
 * Comparisons are constant-time: the official samples and the popular SDKs compare with `==`, which
 * tells an attacker how many leading characters of a forged signature were right.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** sha1 hex of the parts sorted lexicographically (by UTF-16 code units, as the samples' sort()) and joined. */
export function wechatSignature(parts: readonly string[]): string {
  const sorted = [...parts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha1").update(sorted.join(""), "utf8").digest("hex");
}

const SHA1_HEX = /^[0-9a-f]{40}$/i;

/** Constant-time comparison of a computed sha1 hex with the one received (any case, any junk refused). */
export function signatureMatches(expected: string, received: string | null | undefined): boolean {
  if (typeof received !== "string" || !SHA1_HEX.test(received)) return false;
  const a = Buffer.from(expected, "ascii");
  const b = Buffer.from(received.toLowerCase(), "ascii");
  // Both are 40 ASCII characters here; the length check only guards timingSafeEqual's precondition.
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The URL signature (`signature`): GET verification and every push. */
export function checkUrlSignature(
  token: string,
  query: { signature?: string | null; timestamp: string; nonce: string },
): boolean {
  return signatureMatches(wechatSignature([token, query.timestamp, query.nonce]), query.signature);
}

/** The safe-mode signature over the ciphertext (`msg_signature`, and `MsgSignature` in replies). */
export function checkMsgSignature(
  token: string,
  query: { msgSignature?: string | null; timestamp: string; nonce: string },
  encrypt: string,
): boolean {
  return signatureMatches(wechatSignature([token, query.timestamp, query.nonce, encrypt]), query.msgSignature);
}
