import { describe, expect, it } from "vitest";
import { safeReturnTo } from "@/lib/auth/return-to";
import { OPEN_REDIRECT_ATTEMPTS } from "@/test/support/open-redirects";

describe("safeReturnTo", () => {
  it.each(OPEN_REDIRECT_ATTEMPTS)("refuses %j", (attempt) => {
    expect(safeReturnTo(attempt)).toBe("/");
  });

  it.each([
    ["/me", "/me"],
    ["/me?tab=1#x", "/me?tab=1#x"],
    ["/", "/"],
    ["/me?next=//evil.com", "/me?next=//evil.com"],
    ["/a/b/../c", "/a/c"],
    ["/我的", "/%E6%88%91%E7%9A%84"],
  ])("keeps the same-origin path %j", (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it("falls back to / for nothing, too much, or the auth routes (which would loop)", () => {
    expect(safeReturnTo(undefined)).toBe("/");
    expect(safeReturnTo(null)).toBe("/");
    expect(safeReturnTo("")).toBe("/");
    expect(safeReturnTo(`/${"a".repeat(1024)}`)).toBe("/");
    expect(safeReturnTo("/api/auth/wechat/login?scope=snsapi_base")).toBe("/");
    expect(safeReturnTo("/api/auth/wechat/callback")).toBe("/");
  });

  it("is idempotent: what it returns it accepts unchanged", () => {
    for (const input of [...OPEN_REDIRECT_ATTEMPTS, "/me?tab=1#x", "/a/b/../c", "/我的", "/ok%20path"]) {
      const once = safeReturnTo(input);
      expect(safeReturnTo(once)).toBe(once);
    }
  });
});
