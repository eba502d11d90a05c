import { describe, expect, it } from "vitest";
import { deriveKey, randomToken, safeEqual, seal, sha256, unseal } from "@/lib/crypto";

const key = deriveKey("a-test-secret-that-is-long-enough-0123456789", "web-token");

function flipChar(text: string, at: number): string {
  const c = text[at] === "A" ? "B" : "A";
  return text.slice(0, at) + c + text.slice(at + 1);
}

describe("seal / unseal", () => {
  it("round-trips any text, including emoji and long tokens", () => {
    for (const text of ["", "access-token", "🌸小花👩‍👩‍👧✌️𠮷", "x".repeat(600)]) {
      expect(unseal(seal(text, key), key)).toBe(text);
    }
  });

  it("hides the plaintext and never repeats a ciphertext", () => {
    const token = "ACCESS_TOKEN_abcdefghijklmnopqrstuvwxyz";
    const a = seal(token, key);
    const b = seal(token, key);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain(token);
    expect(Buffer.from(a.split(".")[3] ?? "", "base64url").toString("utf8")).not.toContain(token);
  });

  it("detects tampering with the ciphertext, tag or iv", () => {
    const sealed = seal("refresh-token-value", key);
    const [version, iv = "", tag = "", body = ""] = sealed.split(".");
    for (const tampered of [
      [version, iv, tag, flipChar(body, 0)],
      [version, iv, flipChar(tag, 2), body],
      [version, flipChar(iv, 1), tag, body],
    ]) {
      expect(() => unseal(tampered.join("."), key)).toThrow();
    }
  });

  it("fails with the wrong key (another secret or another purpose)", () => {
    const sealed = seal("refresh-token-value", key);
    expect(() => unseal(sealed, deriveKey("another-secret-that-is-long-enough-0123456789", "web-token"))).toThrow();
    expect(() => unseal(sealed, deriveKey("a-test-secret-that-is-long-enough-0123456789", "session"))).toThrow();
  });

  it("refuses unknown formats", () => {
    expect(() => unseal("v2.a.b.c", key)).toThrow(/unknown format/);
    expect(() => unseal("plain-token", key)).toThrow(/unknown format/);
  });
});

describe("deriveKey", () => {
  it("is deterministic, 32 bytes, and separated by purpose", () => {
    const again = deriveKey("a-test-secret-that-is-long-enough-0123456789", "web-token");
    expect(again.equals(key)).toBe(true);
    expect(key).toHaveLength(32);
    expect(deriveKey("a-test-secret-that-is-long-enough-0123456789", "other").equals(key)).toBe(false);
  });
});

describe("safeEqual", () => {
  it("compares by value, whatever the lengths", () => {
    expect(safeEqual("binding-value", "binding-value")).toBe(true);
    expect(safeEqual("binding-value", "binding-valuE")).toBe(false);
    expect(safeEqual("short", "a much longer string")).toBe(false);
    expect(safeEqual("", "")).toBe(true);
    expect(safeEqual("", "x")).toBe(false);
  });
});

describe("sha256 and randomToken", () => {
  it("hashes to base64url and makes unguessable tokens", () => {
    expect(sha256("abc")).toBe("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    const tokens = new Set(Array.from({ length: 50 }, () => randomToken()));
    expect(tokens.size).toBe(50);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
