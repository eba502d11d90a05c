import { describe, expect, it } from "vitest";
import {
  newOutRefundNo,
  newOutTradeNo,
  nextOrderCheck,
  nextWebhookAttempt,
  onAllowedOrigin,
  requestHash,
  signWebhook,
  verifyWebhook,
} from "./rules";

const NOW = new Date(Date.UTC(2026, 0, 15, 8, 0, 0));
let seed = 0;
const bytes = (n: number) => Uint8Array.from({ length: n }, () => (seed = (seed * 31 + 7) % 256));

describe("numbers", () => {
  it("are 28 characters with the Beijing time, unique by their random part", () => {
    const a = newOutTradeNo(NOW, bytes);
    expect(a).toMatch(/^WP20260115160000[A-Z0-9]{12}$/);
    expect(newOutTradeNo(NOW, bytes)).not.toBe(a);
    expect(newOutRefundNo(NOW, bytes)).toMatch(/^RF20260115160000[A-Z0-9]{12}$/);
  });
});

describe("onAllowedOrigin", () => {
  it("takes only URLs of the listed origins, without credentials", () => {
    const origins = ["https://shop.example.com"];
    expect(onAllowedOrigin("https://shop.example.com/orders/1?x=1", origins)).toBe(true);
    for (const bad of [
      "https://shop.example.com.evil.com/",
      "http://shop.example.com/",
      "https://user@shop.example.com/",
      "javascript:alert(1)",
      "/relative",
    ])
      expect(onAllowedOrigin(bad, origins), bad).toBe(false);
  });
});

describe("requestHash", () => {
  it("ignores key order and absent values, and sees any other change", () => {
    expect(requestHash({ a: 1, b: "x", c: undefined })).toBe(requestHash({ b: "x", a: 1 }));
    expect(requestHash({ a: 1, b: "x" })).not.toBe(requestHash({ a: 2, b: "x" }));
  });
});

describe("webhook signatures", () => {
  const secret = "webhook-secret-0123456789abcdefghijkl";
  const body = '{"type":"order.paid"}';

  it("is HMAC-SHA256 over timestamp.body, checked in time and for every byte", () => {
    // echo -n '1768464000.{"type":"order.paid"}' | openssl dgst -sha256 -hmac "$secret"
    const signature = signWebhook(secret, 1768464000, body);
    expect(signature).toBe("sha256=0705a21413fdd415b7a97cdb07e6c420facfbbf01bd13bd637d7ff868020ed36");
    const ok = { timestamp: "1768464000", signature };
    expect(verifyWebhook(secret, ok, body, 1768464000)).toBe(true);
    expect(verifyWebhook(secret, ok, body.replace("paid", "closed"), 1768464000)).toBe(false);
    expect(verifyWebhook("another-secret-0123456789abcdefghijkl", ok, body, 1768464000)).toBe(false);
    expect(verifyWebhook(secret, ok, body, 1768464000 + 301)).toBe(false);
    expect(verifyWebhook(secret, { ...ok, timestamp: "1768464001" }, body, 1768464000)).toBe(false);
  });
});

describe("schedules", () => {
  it("retries a webhook with backoff until 24 hours, the last attempt at 24 hours", () => {
    const created = NOW;
    let at = created;
    const delays: number[] = [];
    for (let attempts = 1; ; attempts++) {
      const next = nextWebhookAttempt(created, attempts, at);
      if (!next) break;
      delays.push((next.getTime() - at.getTime()) / 1000);
      at = next;
    }
    expect(delays.slice(0, 4)).toEqual([30, 60, 120, 240]);
    expect(Math.max(...delays)).toBe(4 * 3600);
    expect(at.getTime() - created.getTime()).toBe(24 * 3600_000);
  });

  it("checks an order before it expires, then at its expiry", () => {
    const expires = new Date(NOW.getTime() + 30 * 60_000);
    expect(nextOrderCheck(NOW, expires)).toEqual(new Date(expires.getTime() - 120_000));
    expect(nextOrderCheck(new Date(expires.getTime() - 60_000), expires)).toEqual(expires);
  });
});
