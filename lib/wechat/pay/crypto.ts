/**
 * The cryptography of WeChat Pay v3, on node:crypto alone (no SDK):
 * - SHA256-with-RSA (PKCS#1 v1.5) signatures, base64: the merchant signs requests and the JSAPI paySign
 *   with its private key; WeChat Pay signs answers and notifications with its own, verified with WeChat
 *   Pay's public key;
 * - the messages they sign, one line each, every line ending in "\n";
 * - AEAD_AES_256_GCM with the 32-byte APIv3 key: the resource of a notification (the 16-byte tag at the
 *   end of the ciphertext; the nonce and associated data as UTF-8 bytes).
 *
 * Signatures are checked with crypto.verify, never by signing again and comparing strings (PKCS#1 v1.5 is
 * deterministic, so that would work, but it would compare secrets-derived bytes in variable time and
 * needs the private key). The GCM tag is checked by OpenSSL in constant time.
 */
import { createDecipheriv, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { SIGNATURE_SCHEME } from "./rules";

const MIN_RSA_BITS = 2048;

function requireRsa(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== "rsa") throw new TypeError(`${what} must be an RSA key`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new TypeError(`${what} must be at least ${MIN_RSA_BITS} bits`);
  return key;
}

/** The merchant's API private key (`apiclient_key.pem`, PKCS#8 or PKCS#1 PEM). */
export function loadPrivateKey(pem: string | KeyObject, what = "merchant private key"): KeyObject {
  if (typeof pem !== "string") {
    if (pem.type !== "private") throw new TypeError(`${what} must be a private key`);
    return requireRsa(pem, what);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    // The parser's message could quote the key; say only what was wrong.
    throw new TypeError(`${what} is not a PEM private key`);
  }
  return requireRsa(key, what);
}

/** WeChat Pay's public key (`-----BEGIN PUBLIC KEY-----`, SPKI or PKCS#1). Never a private key. */
export function loadPublicKey(pem: string | KeyObject, what = "WeChat Pay public key"): KeyObject {
  if (typeof pem !== "string") {
    if (pem.type !== "public") throw new TypeError(`${what} must be a public key`);
    return requireRsa(pem, what);
  }
  if (/PRIVATE KEY/.test(pem)) throw new TypeError(`${what} must be a public key, not a private one`);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new TypeError(`${what} is not a PEM public key`);
  }
  return requireRsa(key, what);
}

/** base64(SHA256withRSA(message)). */
export function signSha256WithRsa(message: string, privateKey: KeyObject): string {
  return sign("sha256", Buffer.from(message, "utf8"), privateKey).toString("base64");
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Whether `signature` (base64) is `publicKey`'s SHA256withRSA signature of `message`. Never throws. */
export function verifySha256WithRsa(message: string, signature: string, publicKey: KeyObject): boolean {
  if (signature.length % 4 !== 0 || !BASE64.test(signature)) return false;
  const bytes = Buffer.from(signature, "base64");
  const modulusBytes = Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (bytes.length !== modulusBytes) return false;
  try {
    return verify("sha256", Buffer.from(message, "utf8"), publicKey, bytes);
  } catch {
    return false;
  }
}

/** What the merchant signs for a request: method, path with query, timestamp, nonce, body ("" for GET). */
export function requestMessage(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** What WeChat Pay signs for an answer or a notification (an empty body for 204). */
export function answerMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** What the merchant signs for getBrandWCPayRequest's paySign. */
export function bridgeMessage(appId: string, timeStamp: string, nonceStr: string, packageValue: string): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${packageValue}\n`;
}

export interface AuthorizationParts {
  readonly mchid: string;
  readonly nonce: string;
  readonly timestamp: string;
  readonly serialNo: string;
  readonly signature: string;
}

/** The Authorization header's value. Every value is quoted; none may contain a quote. */
export function authorizationHeader(parts: AuthorizationParts): string {
  const fields: [string, string][] = [
    ["mchid", parts.mchid],
    ["nonce_str", parts.nonce],
    ["signature", parts.signature],
    ["timestamp", parts.timestamp],
    ["serial_no", parts.serialNo],
  ];
  for (const [name, value] of fields) {
    if (value === "" || /["\\\r\n]/.test(value)) throw new TypeError(`${name} must be non-empty and unquoted`);
  }
  return `${SIGNATURE_SCHEME} ${fields.map(([name, value]) => `${name}="${value}"`).join(",")}`;
}

const NONCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** 36 * 7: bytes at or above would make the first characters likelier. */
const NONCE_BYTE_LIMIT = 252;

/** A random string of capital letters and digits (WeChat Pay's nonce_str, at most 32). */
export function randomNonce(randomBytes: (n: number) => Uint8Array, length = 32): string {
  if (!Number.isInteger(length) || length < 1 || length > 32) throw new RangeError("nonce length must be 1..32");
  let out = "";
  for (let round = 0; out.length < length; round++) {
    if (round >= 64) throw new Error("randomBytes keeps returning unusable bytes");
    for (const byte of randomBytes(length - out.length + 8)) {
      if (byte >= NONCE_BYTE_LIMIT) continue;
      out += NONCE_ALPHABET[byte % NONCE_ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export const APIV3_KEY_BYTES = 32;
const GCM_TAG_BYTES = 16;

/** The APIv3 key as WeChat Pay uses it: its 32 UTF-8 bytes are the AES-256 key. */
export function apiV3KeyBytes(apiV3Key: string): Buffer {
  const bytes = Buffer.from(apiV3Key, "utf8");
  if (bytes.length !== APIV3_KEY_BYTES) throw new TypeError(`APIv3 key must be ${APIV3_KEY_BYTES} bytes`);
  return bytes;
}

export interface AeadResource {
  /** base64: encrypted bytes then the 16-byte tag. */
  readonly ciphertext: string;
  /** As UTF-8 bytes; 12 characters in practice. */
  readonly nonce: string;
  /** As UTF-8 bytes; "" when absent. */
  readonly associatedData: string;
}

/** The plaintext of an AEAD_AES_256_GCM resource, or null when it does not authenticate. */
export function decryptAes256Gcm(key: Buffer, resource: AeadResource): string | null {
  if (key.length !== APIV3_KEY_BYTES) throw new TypeError(`APIv3 key must be ${APIV3_KEY_BYTES} bytes`);
  const { ciphertext, nonce, associatedData } = resource;
  if (ciphertext.length % 4 !== 0 || !BASE64.test(ciphertext)) return null;
  const data = Buffer.from(ciphertext, "base64");
  const iv = Buffer.from(nonce, "utf8");
  if (data.length < GCM_TAG_BYTES || iv.length === 0 || iv.length > 64) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAuthTag(data.subarray(data.length - GCM_TAG_BYTES));
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - GCM_TAG_BYTES)), decipher.final()]);
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    return null;
  }
}
