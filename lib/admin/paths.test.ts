import { describe, expect, it } from "vitest";
import { safeAdminPath } from "./paths";

describe("safeAdminPath (where sign-in lands)", () => {
  it.each([
    ["/admin/users?page=2", "/admin/users?page=2"],
    ["/admin", "/admin"],
    ["/admin/signin", "/admin"],
    ["/admin/setup?token=x", "/admin"],
    ["/me", "/admin"],
    ["/administrator", "/admin"],
    ["//evil.example/admin", "/admin"],
    ["https://evil.example/admin", "/admin"],
    ["/%2F%2Fevil.example", "/admin"],
    [undefined, "/admin"],
  ])("%s → %s", (raw, expected) => {
    expect(safeAdminPath(raw)).toBe(expected);
  });
});
