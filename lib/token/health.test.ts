import { describe, expect, it } from "vitest";
import { credentialHealth } from "./health";

const token = (expiresInSeconds: number, source = "classic") => ({
  kind: "access_token",
  source,
  expiresInSeconds,
  invalidatedAt: null,
});

describe("credentialHealth", () => {
  it("is ok until the refresh window opens, then refreshing, then expired", () => {
    // classic: refreshed 15–20 minutes before expiry
    expect(credentialHealth(token(7200))).toBe("ok");
    expect(credentialHealth(token(20 * 60 + 1))).toBe("ok");
    expect(credentialHealth(token(20 * 60))).toBe("refreshing");
    expect(credentialHealth(token(1))).toBe("refreshing");
    expect(credentialHealth(token(0))).toBe("expired");
    expect(credentialHealth(token(-30))).toBe("expired");
  });

  it("follows the stable API's later window and the tickets' own", () => {
    // stable: 230–290 s before expiry
    expect(credentialHealth(token(291, "stable"))).toBe("ok");
    expect(credentialHealth(token(290, "stable"))).toBe("refreshing");
    expect(credentialHealth({ ...token(20 * 60 + 1), kind: "jsapi_ticket", source: "ticket" })).toBe("ok");
    expect(credentialHealth({ ...token(20 * 60), kind: "jsapi_ticket", source: "ticket" })).toBe("refreshing");
  });

  it("says a value reported invalid is invalidated, whatever its expiry", () => {
    expect(credentialHealth({ ...token(7000), invalidatedAt: new Date() })).toBe("invalidated");
  });
});
