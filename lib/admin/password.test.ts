import { describe, expect, it } from "vitest";
import { hashPassword, passwordProblem, verifyPassword } from "./password";

describe("staff passwords", () => {
  it("are hashed with argon2id at OWASP's parameters, salted", async () => {
    const a = await hashPassword("correct-horse-battery");
    const b = await hashPassword("correct-horse-battery");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("correct-horse-battery");
  });

  it("verify the right password only", async () => {
    const stored = await hashPassword("correct-horse-battery");
    expect(await verifyPassword(stored, "correct-horse-battery")).toBe(true);
    expect(await verifyPassword(stored, "correct-horse-batter")).toBe(false);
    expect(await verifyPassword(stored, "")).toBe(false);
  });

  it("without a stored hash (unknown email) still do the work, and say no", async () => {
    const stored = await hashPassword("correct-horse-battery");
    const time = async (run: () => Promise<boolean>) => {
      const started = performance.now();
      expect(await run()).toBe(false);
      return performance.now() - started;
    };
    const unknown = await time(() => verifyPassword(null, "correct-horse-battery"));
    const wrong = await time(() => verifyPassword(stored, "wrong-password-here"));
    // Same argon2 parameters: the same order of magnitude (never a fast path).
    expect(unknown).toBeGreaterThan(wrong / 4);
  });

  it("treat a malformed stored hash as a mismatch", async () => {
    expect(await verifyPassword("not-a-phc-string", "whatever-password")).toBe(false);
  });

  it("refuse weak passwords with a Chinese reason", () => {
    expect(passwordProblem("short")).toBe("密码至少 12 个字符。");
    expect(passwordProblem("aaaaaaaaaaaaaaaa")).toMatch(/重复/);
    expect(passwordProblem("x".repeat(300))).toMatch(/最多/);
    expect(passwordProblem("correct-horse-battery")).toBeNull();
    expect(passwordProblem("密码是一二三四五六七八九十")).toBeNull();
  });
});
