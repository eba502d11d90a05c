import { describe, expect, it } from "vitest";
import { checkMsgSignature, checkUrlSignature, signatureMatches, wechatSignature } from "./message-signature";
import { PYTHON_SAMPLE, URL_SIGNATURE } from "@/test/support/wechat/message-vectors";

describe("message signatures", () => {
  it("match the published vectors", () => {
    const u = URL_SIGNATURE;
    expect(wechatSignature([u.token, u.timestamp, u.nonce])).toBe(u.signature);
    expect(checkUrlSignature(u.token, u)).toBe(true);
    const p = PYTHON_SAMPLE;
    expect(checkUrlSignature(p.token, { signature: p.signature, timestamp: p.timestamp, nonce: p.nonce })).toBe(true);
  });

  it("sort the parts, so their order does not matter", () => {
    expect(wechatSignature(["b", "a", "c"])).toBe(wechatSignature(["c", "b", "a"]));
    expect(wechatSignature(["b", "a", "c"])).not.toBe(wechatSignature(["bac"].concat([])));
  });

  it("refuse a forged, truncated, missing or non-hex signature, and accept upper case", () => {
    const u = URL_SIGNATURE;
    const flipped = u.signature.slice(0, 39) + (u.signature.endsWith("1") ? "2" : "1");
    for (const signature of [
      flipped,
      u.signature.slice(0, 39),
      "",
      null,
      undefined,
      `${u.signature}0`,
      "z".repeat(40),
    ]) {
      expect(checkUrlSignature(u.token, { ...u, signature }), String(signature)).toBe(false);
    }
    expect(signatureMatches(u.signature, u.signature.toUpperCase())).toBe(true);
    expect(checkUrlSignature("other", u)).toBe(false);
  });

  it("msg_signature covers the ciphertext", () => {
    const p = PYTHON_SAMPLE;
    const q = { msgSignature: p.msgSignature, timestamp: p.timestamp, nonce: p.nonce };
    expect(checkMsgSignature(p.token, q, p.encrypt)).toBe(true);
    expect(checkMsgSignature(p.token, q, p.encrypt.replace("hyz", "hyy"))).toBe(false);
    expect(checkMsgSignature(p.token, { ...q, timestamp: "1409735670" }, p.encrypt)).toBe(false);
  });
});
