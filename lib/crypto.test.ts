import { sealData, unsealData } from "iron-session";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deriveKey, ironSeal, randomToken, safeEqual, seal, sha256, unseal } from "@/lib/crypto";

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

describe("ironSeal", () => {
  const secret = "a-session-secret-that-is-long-enough-0123456789";
  const ttl = 7 * 24 * 3600;
  const data = {
    userId: "u1",
    iat: 1_768_464_000,
    sat: 1_768_464_000_123,
    sid: "c2lkLXNpZC1zaWQtc2lk",
    nick: "小花🌸",
  };

  /** The same bytes every time: iron-session's draws and ours, from one sequence each. */
  function sequence(): (n: number) => Buffer {
    let next = 0;
    return (n) => Buffer.from(Array.from({ length: n }, () => next++ % 256));
  }

  afterEach(() => vi.restoreAllMocks());

  it("seals byte for byte what iron-session's sealData seals, given the same randomness and clock", async () => {
    const now = Date.UTC(2026, 0, 15, 8, 0, 0);
    const theirs = sequence();
    vi.spyOn(Date, "now").mockReturnValue(now);
    const draw = (array: Uint8Array) => {
      array.set(theirs(array.length));
      return array;
    };
    vi.spyOn(globalThis.crypto, "getRandomValues").mockImplementation(draw as typeof globalThis.crypto.getRandomValues);
    const expected = await sealData(data, { password: secret, ttl });
    vi.restoreAllMocks();
    expect(ironSeal(data, { id: "1", secret }, ttl * 1000, now, sequence())).toBe(expected);
  });

  it("is read by iron-session's unsealData, and refused by it when tampered with, expired or under another password", async () => {
    const sealed = ironSeal(data, { id: "1", secret }, ttl * 1000);
    expect(sealed).toMatch(/^Fe26\.2\*1\*[0-9a-f]{64}\*[\w-]{22}\*[\w-]+\*\d+\*[0-9a-f]{64}\*[\w-]{43}~2$/);
    expect(sealed).not.toBe(ironSeal(data, { id: "1", secret }, ttl * 1000));
    expect(await unsealData(sealed, { password: secret, ttl })).toEqual(data);

    const parts = sealed.split("*");
    const ciphertext = parts.map((p, i) => (i === 4 ? flipChar(p, 3) : p)).join("*");
    expect(await unsealData(ciphertext, { password: secret, ttl })).toEqual({});
    const expired = ironSeal(data, { id: "1", secret }, ttl * 1000, Date.now() - (ttl + 120) * 1000);
    expect(await unsealData(expired, { password: secret, ttl })).toEqual({});
    expect(await unsealData(sealed, { password: `${secret}-other`, ttl })).toEqual({});
    expect(() => ironSeal(data, { id: "1", secret: "short" }, 1000)).toThrow(/32 characters/);
  });
});
