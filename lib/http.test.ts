// The client's address is what our own proxies say, read from the right of X-Forwarded-For.
import { describe, expect, it } from "vitest";
import { clientIp } from "./http";

const withForwarded = (value?: string) =>
  new Request("http://localhost:3000/x", { headers: value === undefined ? {} : { "x-forwarded-for": value } });

describe("clientIp", () => {
  it("believes nothing without a trusted proxy: a forged header is not an address", () => {
    expect(clientIp(withForwarded("6.6.6.6"), 0)).toBeNull();
    expect(clientIp(withForwarded(), 0)).toBeNull();
  });

  it("takes the entry our one proxy appended, never what the client put on the left", () => {
    expect(clientIp(withForwarded("6.6.6.6, 203.0.113.7"), 1)).toBe("203.0.113.7");
    // nginx with X-Forwarded-For $remote_addr replaces the header: one entry, ours.
    expect(clientIp(withForwarded("203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientIp(withForwarded("2001:db8::1"), 1)).toBe("2001:db8::1");
  });

  it("counts hops from the right with two proxies (a CDN, then nginx)", () => {
    expect(clientIp(withForwarded("6.6.6.6, 203.0.113.7, 10.0.0.2"), 2)).toBe("203.0.113.7");
  });

  it("is null when the chain is shorter than the proxies (the request went around them) or empty", () => {
    expect(clientIp(withForwarded("203.0.113.7"), 2)).toBeNull();
    expect(clientIp(withForwarded(), 1)).toBeNull();
    expect(clientIp(withForwarded("6.6.6.6, "), 1)).toBeNull();
  });
});
