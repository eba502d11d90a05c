import { describe, expect, it } from "vitest";
import {
  formatBeijingTime,
  isAmount,
  isOutRefundNo,
  isOutTradeNo,
  notifyUrlProblem,
  parseRfc3339,
  textProblem,
} from "./rules";

describe("out_trade_no and out_refund_no", () => {
  it("takes 6-32 of digits, letters and _-|* for an order", () => {
    expect(isOutTradeNo("SO2026")).toBe(true);
    expect(isOutTradeNo("a".repeat(32))).toBe(true);
    expect(isOutTradeNo("A_b-1|2*3")).toBe(true);
    expect(isOutTradeNo("SO202")).toBe(false);
    expect(isOutTradeNo("a".repeat(33))).toBe(false);
    for (const bad of ["SO2026.1", "SO 2026", "SO2026@", "订单20260001", "SO2026/1", ""]) {
      expect(isOutTradeNo(bad), bad).toBe(false);
    }
    expect(isOutTradeNo(123456)).toBe(false);
  });

  it("takes 1-64 of digits, letters and _-|*@ for a refund", () => {
    expect(isOutRefundNo("R")).toBe(true);
    expect(isOutRefundNo("R@1|2*3-4_5")).toBe(true);
    expect(isOutRefundNo("r".repeat(64))).toBe(true);
    expect(isOutRefundNo("r".repeat(65))).toBe(false);
    expect(isOutRefundNo("")).toBe(false);
    expect(isOutRefundNo("R.1")).toBe(false);
  });
});

describe("isAmount", () => {
  it("is a positive safe integer of fen, nothing else", () => {
    expect(isAmount(1)).toBe(true);
    expect(isAmount(Number.MAX_SAFE_INTEGER)).toBe(true);
    for (const bad of [0, -1, 1.5, 0.01, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Infinity, "1", null]) {
      expect(isAmount(bad), String(bad)).toBe(false);
    }
  });
});

describe("notifyUrlProblem", () => {
  it("takes an absolute http(s) URL without query, fragment or credentials, at most 256 bytes", () => {
    expect(notifyUrlProblem("https://app.example.com/api/pay/notify")).toBeNull();
    expect(notifyUrlProblem("http://localhost:3000/api/pay/notify")).toBeNull();
    expect(notifyUrlProblem("https://app.example.com/api/pay/notify?order=1")).toMatch(/query/);
    expect(notifyUrlProblem("https://app.example.com/api/pay/notify?")).toMatch(/query/);
    expect(notifyUrlProblem("https://app.example.com/api/pay/notify#x")).toMatch(/fragment/);
    expect(notifyUrlProblem("https://u:p@app.example.com/notify")).toMatch(/credentials/);
    expect(notifyUrlProblem("ftp://app.example.com/notify")).toMatch(/http/);
    expect(notifyUrlProblem("/api/pay/notify")).toMatch(/absolute/);
    const long = `https://app.example.com/${"a".repeat(256 - 24)}`;
    expect(Buffer.byteLength(long)).toBe(256);
    expect(notifyUrlProblem(long)).toBeNull();
    expect(notifyUrlProblem(`${long}a`)).toMatch(/256/);
  });
});

describe("textProblem", () => {
  it("counts UTF-8 bytes: 42 Chinese characters fit in 127 bytes, 43 do not", () => {
    expect(textProblem("会".repeat(42), 127)).toBeNull();
    expect(textProblem("会".repeat(43), 127)).toMatch(/127 bytes/);
    expect(textProblem("a".repeat(127), 127)).toBeNull();
  });

  it("refuses empty text unless allowed, and control characters always", () => {
    expect(textProblem("  ", 127)).toMatch(/empty/);
    expect(textProblem("", 128, true)).toBeNull();
    expect(textProblem("a\nb", 127)).toMatch(/control/);
    expect(textProblem("a\u0000", 128, true)).toMatch(/control/);
  });
});

describe("times", () => {
  it("writes RFC 3339 at +08:00, to the second, across Beijing's midnight", () => {
    expect(formatBeijingTime(Date.UTC(2026, 0, 15, 8, 0, 0))).toBe("2026-01-15T16:00:00+08:00");
    expect(formatBeijingTime(Date.UTC(2026, 0, 15, 16, 30, 5, 999))).toBe("2026-01-16T00:30:05+08:00");
    expect(formatBeijingTime(Date.UTC(2025, 11, 31, 16, 0, 0))).toBe("2026-01-01T00:00:00+08:00");
    expect(() => formatBeijingTime(Number.NaN)).toThrow(RangeError);
  });

  it("reads RFC 3339 with an offset, and refuses times without one or that do not exist", () => {
    expect(parseRfc3339("2026-01-15T16:00:00+08:00")).toBe(Date.UTC(2026, 0, 15, 8));
    expect(parseRfc3339("2026-01-15T08:00:00Z")).toBe(Date.UTC(2026, 0, 15, 8));
    expect(parseRfc3339("2026-01-15T08:00:00.250-01:30")).toBe(Date.UTC(2026, 0, 15, 9, 30, 0, 250));
    expect(parseRfc3339("2026-01-15T16:00:00")).toBeNull();
    expect(parseRfc3339("2026-02-30T16:00:00+08:00")).toBeNull();
    expect(parseRfc3339("2026-01-15 16:00:00+08:00")).toBeNull();
    expect(parseRfc3339("yesterday")).toBeNull();
  });

  it("round-trips its own times", () => {
    const ms = Date.UTC(2026, 5, 30, 23, 59, 59);
    expect(parseRfc3339(formatBeijingTime(ms))).toBe(ms);
  });
});
