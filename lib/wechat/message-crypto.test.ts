import { createCipheriv, createDecipheriv } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MessageCrypto, MessageCryptoError } from "./message-crypto";
import { checkMsgSignature, wechatSignature } from "./message-signature";
import { parseInboundMessage } from "./message-xml";
import { JAVA_SAMPLE, PYTHON_SAMPLE } from "@/test/support/wechat/message-vectors";

const fixed = (text: string) => () => Buffer.from(text, "utf8");

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof MessageCryptoError) return err.code;
    throw err;
  }
  return "no error";
}

/** Encrypts raw plaintext bytes with the key of `encodingAesKey`, no padding added: for malformed inputs. */
function rawEncrypt(encodingAesKey: string, plain: Buffer): string {
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString("base64");
}

function frame(xml: string, appId: string, pad?: (length: number) => Buffer): Buffer {
  const body = Buffer.from(xml);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([Buffer.alloc(16, 7), length, body, Buffer.from(appId)]);
  const n = 32 - (plain.length % 32);
  return Buffer.concat([plain, pad ? pad(n) : Buffer.alloc(n, n)]);
}

describe("the official WXBizMsgCrypt vectors", () => {
  it("Python sample: msg_signature holds and the push decrypts to the published XML", () => {
    const v = PYTHON_SAMPLE;
    expect(wechatSignature([v.token, v.timestamp, v.nonce, v.encrypt])).toBe(v.msgSignature);
    expect(
      checkMsgSignature(v.token, { msgSignature: v.msgSignature, timestamp: v.timestamp, nonce: v.nonce }, v.encrypt),
    ).toBe(true);
    const xml = new MessageCrypto(v.encodingAesKey, v.appId).decrypt(v.encrypt);
    expect(xml).toBe(v.plaintext);
    expect(parseInboundMessage(xml)).toMatchObject({
      openid: "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
      content: "abcdteT",
      msgId: "6054768590064713728",
    });
  });

  it("Python sample: re-encrypting with the same random prefix gives back the same ciphertext", () => {
    const v = PYTHON_SAMPLE;
    // The sample's random prefix is whatever the first 16 bytes decrypt to: recover it, then re-encrypt.
    const key = Buffer.from(`${v.encodingAesKey}=`, "base64");
    const prefix = rawPrefix(v.encrypt, key);
    const crypto = new MessageCrypto(v.encodingAesKey, v.appId, () => prefix);
    expect(crypto.encrypt(v.plaintext)).toBe(v.encrypt);
  });

  it("Java sample: fixed random prefix, the published ciphertexts, both ways", () => {
    const v = JAVA_SAMPLE;
    const crypto = new MessageCrypto(v.encodingAesKey, v.appId, fixed(v.randomStr));
    expect(crypto.encrypt(v.replyMsg)).toBe(v.afterAesEncrypt);
    expect(crypto.encrypt(v.replyMsg2)).toBe(v.afterAesEncrypt2);
    expect(crypto.decrypt(v.afterAesEncrypt)).toBe(v.replyMsg);
    expect(crypto.decrypt(v.afterAesEncrypt2)).toBe(v.replyMsg2);
  });

  it("encryptReply signs the ciphertext with the reply's own timestamp and nonce", () => {
    const v = JAVA_SAMPLE;
    const reply = new MessageCrypto(v.encodingAesKey, v.appId, fixed(v.randomStr)).encryptReply(
      v.replyMsg,
      v.timestamp,
      v.nonce,
      v.token,
    );
    expect(reply.encrypt).toBe(v.afterAesEncrypt);
    expect(reply.msgSignature).toBe(wechatSignature([v.token, v.timestamp, v.nonce, v.afterAesEncrypt]));
  });
});

function rawPrefix(encrypt: string, key: Buffer): Buffer {
  // CBC: the first plaintext block is D(C0) xor IV; decrypt the first block alone.
  const d = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
  d.setAutoPadding(false);
  return Buffer.concat([d.update(Buffer.from(encrypt, "base64").subarray(0, 16)), d.final()]);
}

describe("MessageCrypto refuses", () => {
  const key = PYTHON_SAMPLE.encodingAesKey;
  const crypto = new MessageCrypto(key, "wxours00000000001");

  it("a ciphertext for another appid (-40005)", () => {
    const other = new MessageCrypto(key, "wxother0000000001");
    expect(codeOf(() => crypto.decrypt(other.encrypt("<xml/>")))).toBe("appid");
    // A prefix of our appid, or our appid with a suffix, is not ours either.
    expect(codeOf(() => crypto.decrypt(new MessageCrypto(key, "wxours0000000000").encrypt("<xml/>")))).toBe("appid");
    expect(codeOf(() => crypto.decrypt(new MessageCrypto(key, "wxours00000000001x").encrypt("<xml/>")))).toBe("appid");
  });

  it("bad padding: a pad byte of 0, of more than 32, or pad bytes that disagree", () => {
    const zero = frame("<xml/>", crypto.appId, (n) => Buffer.concat([Buffer.alloc(n - 1, n), Buffer.from([0])]));
    const big = frame("<xml/>", crypto.appId, (n) => Buffer.concat([Buffer.alloc(n - 1, n), Buffer.from([33])]));
    const mixed = frame("<xml/>", crypto.appId, (n) =>
      Buffer.concat([Buffer.alloc(n - 1, n === 1 ? 2 : n - 1), Buffer.from([n])]),
    );
    for (const plain of [zero, big, mixed])
      expect(codeOf(() => crypto.decrypt(rawEncrypt(key, plain)))).toBe("decrypt");
    // The well-formed frame of the same content decrypts.
    expect(crypto.decrypt(rawEncrypt(key, frame("<xml/>", crypto.appId)))).toBe("<xml/>");
  });

  it("a length field beyond the data (-40008)", () => {
    const plain = frame("<xml/>", crypto.appId);
    plain.writeUInt32BE(10_000, 16);
    expect(codeOf(() => crypto.decrypt(rawEncrypt(key, plain)))).toBe("buffer");
  });

  it("non-base64, truncated and empty ciphertexts", () => {
    expect(codeOf(() => crypto.decrypt("not base64!"))).toBe("base64");
    expect(codeOf(() => crypto.decrypt(""))).toBe("base64");
    expect(codeOf(() => crypto.decrypt(Buffer.alloc(24).toString("base64")))).toBe("decrypt");
  });

  it("a ciphertext made with another key: the padding (or the appid) cannot hold", () => {
    const other = new MessageCrypto("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq", crypto.appId);
    expect(["decrypt", "buffer", "appid"]).toContain(codeOf(() => crypto.decrypt(other.encrypt("<xml>hello</xml>"))));
  });

  it("an EncodingAESKey that is not 43 base64 characters (-40004)", () => {
    expect(codeOf(() => new MessageCrypto("short", "wx1"))).toBe("aes_key");
    expect(codeOf(() => new MessageCrypto(`${key}A`, "wx1"))).toBe("aes_key");
  });
});
