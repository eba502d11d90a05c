import { describe, expect, it } from "vitest";
import {
  PAY_STATUS_LABEL,
  PREPAY_RENEW_BEFORE_MS,
  payStatus,
  prepayStep,
  safeReturnUrl,
  unpayableReason,
  yuan,
} from "./cashier";

const NOW = new Date("2026-12-04T12:00:00Z");
const later = (ms: number) => new Date(NOW.getTime() + ms);
const order = (fields: Partial<Parameters<typeof payStatus>[0]> = {}) => ({
  state: "unpaid",
  amount: 100,
  refundedAmount: 0,
  expiresAt: later(1800_000),
  ...fields,
});

describe("payStatus and its Chinese", () => {
  it("reads unpaid, paid, partly and fully refunded, closed, and unpaid past its time as closed", () => {
    expect(payStatus(order(), NOW)).toBe("unpaid");
    expect(payStatus(order({ state: "paid" }), NOW)).toBe("paid");
    expect(payStatus(order({ state: "paid", refundedAmount: 30 }), NOW)).toBe("partially_refunded");
    expect(payStatus(order({ state: "refunded", refundedAmount: 100 }), NOW)).toBe("refunded");
    expect(payStatus(order({ state: "closed" }), NOW)).toBe("closed");
    expect(payStatus(order({ expiresAt: NOW }), NOW)).toBe("expired");
    expect(PAY_STATUS_LABEL).toEqual({
      unpaid: "待支付",
      paid: "已支付",
      partially_refunded: "部分退款",
      refunded: "已退款",
      closed: "已关闭",
      expired: "已关闭",
    });
  });

  it("lets only an unpaid order in its time be paid, naming why not otherwise", () => {
    expect(unpayableReason(order(), NOW)).toBeNull();
    expect(unpayableReason(order({ state: "paid" }), NOW)).toBe("pay_order_paid");
    expect(unpayableReason(order({ state: "refunded" }), NOW)).toBe("pay_order_paid");
    expect(unpayableReason(order({ state: "closed" }), NOW)).toBe("pay_order_closed");
    expect(unpayableReason(order({ expiresAt: later(-1) }), NOW)).toBe("pay_order_expired");
  });
});

describe("prepayStep", () => {
  it("reuses a prepay_id well inside its 2 hours", () => {
    expect(prepayStep({ prepayId: "wx1", prepayExpiresAt: later(2 * 3600_000) }, NOW)).toEqual({
      kind: "reuse",
      prepayId: "wx1",
    });
    expect(prepayStep({ prepayId: "wx1", prepayExpiresAt: later(PREPAY_RENEW_BEFORE_MS + 1) }, NOW).kind).toBe("reuse");
  });

  it("makes one when there is none, or the stored one is close to its expiry or past it", () => {
    expect(prepayStep({ prepayId: null, prepayExpiresAt: null }, NOW)).toEqual({ kind: "claim" });
    expect(prepayStep({ prepayId: "wx1", prepayExpiresAt: later(PREPAY_RENEW_BEFORE_MS) }, NOW).kind).toBe("claim");
    expect(prepayStep({ prepayId: "wx1", prepayExpiresAt: later(-1) }, NOW).kind).toBe("claim");
  });

  it("waits while another tap's claim holds, and takes over a claim that ran out", () => {
    expect(prepayStep({ prepayId: null, prepayExpiresAt: later(5000) }, NOW)).toEqual({ kind: "wait" });
    expect(prepayStep({ prepayId: null, prepayExpiresAt: NOW }, NOW)).toEqual({ kind: "claim" });
  });
});

describe("yuan", () => {
  it("writes fen as yuan with two decimals", () => {
    expect(yuan(1)).toBe("¥0.01");
    expect(yuan(100)).toBe("¥1.00");
    expect(yuan(123456)).toBe("¥1234.56");
  });
});

describe("safeReturnUrl", () => {
  const deps = { allowedOrigins: ["https://shop.example.com"], appUrl: "https://uc.example.com" };
  it("keeps a returnUrl on an allowed origin or ours, and drops any other", () => {
    expect(safeReturnUrl(deps, "https://shop.example.com/done?o=1")).toBe("https://shop.example.com/done?o=1");
    expect(safeReturnUrl(deps, "https://uc.example.com/me/orders")).toBe("https://uc.example.com/me/orders");
    expect(safeReturnUrl(deps, "https://evil.example.com/")).toBeNull();
    expect(safeReturnUrl(deps, "javascript:alert(1)")).toBeNull();
    expect(safeReturnUrl(deps, null)).toBeNull();
  });
});
