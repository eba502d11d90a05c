// Tokens at rest: AES-256-GCM with a key derived from TOKEN_ENCRYPTION_KEY. A sealed value is
// "v1.<iv>.<tag>.<ciphertext>" in base64url; the version lets the key or cipher change later.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "wechat-user-center", purpose, 32));
}

export function seal(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(
    ".",
  );
}

export function unseal(sealed: string, key: Buffer): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("sealed value: unknown format");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

/** Constant-time string comparison (both sides hashed first, so lengths leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * iron's seal ("Fe26.2", the format of iron-session's cookies, with its defaults: AES-256-CBC and
 * HMAC-SHA-256, each key PBKDF2-SHA-1 of the password with a 256-bit salt of its own, 1 iteration),
 * then iron-session's "~2" version suffix: what iron-session's sealData(data, { password, ttl }) makes,
 * and what its unseal reads (lib/crypto.test.ts). iron-webcrypto spends eight asynchronous WebCrypto
 * calls on it, about 1 ms of CPU; node:crypto's synchronous calls take a few microseconds.
 */
export function ironSeal(
  data: unknown,
  password: { readonly id: string; readonly secret: string },
  ttlMs: number,
  now: number = Date.now(),
  random: (bytes: number) => Buffer = randomBytes,
): string {
  if (password.secret.length < 32) throw new Error("iron password: at least 32 characters");
  if (!/^\w+$/.test(password.id)) throw new Error("iron password id: letters, digits and _ only");
  const key = (salt: string) => pbkdf2Sync(password.secret, salt, 1, 32, "sha1");
  const encryptionSalt = random(32).toString("hex");
  const iv = random(16);
  const cipher = createCipheriv("aes-256-cbc", key(encryptionSalt), iv);
  const encrypted = Buffer.concat([cipher.update(JSON.stringify(data), "utf8"), cipher.final()]);
  const base = `Fe26.2*${password.id}*${encryptionSalt}*${iv.toString("base64url")}*${encrypted.toString("base64url")}*${ttlMs ? now + ttlMs : ""}`;
  const integritySalt = random(32).toString("hex");
  const mac = createHmac("sha256", key(integritySalt)).update(base).digest("base64url");
  return `${base}*${integritySalt}*${mac}~2`;
}
