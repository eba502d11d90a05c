/**
 * Safe-mode message encryption (WXBizMsgCrypt): AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the
 * key's first 16 bytes, PKCS#7 padding to 32-byte blocks. The plaintext is 16 random bytes, the XML's
 * length as 4 bytes big-endian, the XML, then the appid (which must be ours).
 *
 * Stricter than the samples: the padding is checked byte by byte (the samples strip whatever the last
 * byte says, and some SDKs treat a bad pad byte as "no padding"), the length field must fit, and the
 * base64 must be canonical. Randomness is injected so the official vectors re-encrypt exactly.
 */
import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from "node:crypto";
import { wechatSignature } from "./message-signature";

/** The official samples' error codes, kept so operators can match them with WeChat's documentation. */
export const MESSAGE_CRYPTO_ERRORS = {
  signature: -40001,
  parse: -40002,
  aes_key: -40004,
  appid: -40005,
  encrypt: -40006,
  decrypt: -40007,
  buffer: -40008,
  base64: -40010,
} as const;

export type MessageCryptoErrorCode = keyof typeof MESSAGE_CRYPTO_ERRORS;

export class MessageCryptoError extends Error {
  override name = "MessageCryptoError";
  readonly errcode: number;
  constructor(
    readonly code: MessageCryptoErrorCode,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${code}: ${detail}`, options);
    this.errcode = MESSAGE_CRYPTO_ERRORS[code];
  }
}

const BLOCK = 32;
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface EncryptedReply {
  readonly encrypt: string;
  readonly msgSignature: string;
  readonly timestamp: string;
  readonly nonce: string;
}

export class MessageCrypto {
  readonly #key: Buffer;
  readonly #iv: Buffer;
  readonly #appId: Buffer;

  constructor(
    encodingAesKey: string,
    readonly appId: string,
    private readonly random: (bytes: number) => Buffer = randomBytes,
  ) {
    if (!ENCODING_AES_KEY.test(encodingAesKey))
      throw new MessageCryptoError("aes_key", "EncodingAESKey must be 43 characters");
    const key = Buffer.from(`${encodingAesKey}=`, "base64");
    if (key.length !== 32) throw new MessageCryptoError("aes_key", "EncodingAESKey does not decode to 32 bytes");
    this.#key = key;
    this.#iv = key.subarray(0, 16);
    this.#appId = Buffer.from(appId, "utf8");
  }

  /** The `Encrypt` value for `xml`: base64 of the AES-256-CBC ciphertext. */
  encrypt(xml: string): string {
    const body = Buffer.from(xml, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const plain = Buffer.concat([this.random(16), length, body, this.#appId]);
    const pad = BLOCK - (plain.length % BLOCK);
    const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
    const cipher = createCipheriv("aes-256-cbc", this.#key, this.#iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(padded), cipher.final()]).toString("base64");
  }

  /** The XML inside an `Encrypt` value; throws MessageCryptoError unless every check holds. */
  decrypt(encrypt: string): string {
    if (encrypt.length === 0 || !CANONICAL_BASE64.test(encrypt)) throw new MessageCryptoError("base64", "not base64");
    const data = Buffer.from(encrypt, "base64");
    if (data.length === 0 || data.length % 16 !== 0) throw new MessageCryptoError("decrypt", "not whole AES blocks");
    let plain: Buffer;
    try {
      const decipher = createDecipheriv("aes-256-cbc", this.#key, this.#iv);
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch (err) {
      throw new MessageCryptoError("decrypt", "AES failed", { cause: err });
    }
    const pad = plain[plain.length - 1] ?? 0;
    if (pad < 1 || pad > BLOCK || pad > plain.length) throw new MessageCryptoError("decrypt", "bad padding");
    for (let i = plain.length - pad; i < plain.length; i++) {
      if (plain[i] !== pad) throw new MessageCryptoError("decrypt", "bad padding");
    }
    const content = plain.subarray(0, plain.length - pad);
    if (content.length < 20) throw new MessageCryptoError("buffer", "too short");
    const length = content.readUInt32BE(16);
    if (length > content.length - 20) throw new MessageCryptoError("buffer", "length field out of range");
    const xml = content.subarray(20, 20 + length);
    const appId = content.subarray(20 + length);
    if (appId.length !== this.#appId.length || !timingSafeEqual(appId, this.#appId)) {
      throw new MessageCryptoError("appid", "appid mismatch");
    }
    return xml.toString("utf8");
  }

  /** Encrypts and signs a passive reply the way WeChat expects it in safe mode. */
  encryptReply(xml: string, timestamp: string, nonce: string, token: string): EncryptedReply {
    const encrypt = this.encrypt(xml);
    return { encrypt, msgSignature: wechatSignature([token, timestamp, nonce, encrypt]), timestamp, nonce };
  }
}
