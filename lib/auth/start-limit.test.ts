import { describe, expect, it } from "vitest";
import { LoginStartLimiter } from "./start-limit";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("LoginStartLimiter", () => {
  it("lets an address start its minute's worth at once, then one every 60/n seconds", () => {
    const c = clock();
    const limiter = new LoginStartLimiter({ perAddressPerMinute: 30, perSecond: 1000 }, c.now);
    const answers = Array.from({ length: 31 }, () => limiter.take("203.0.113.9"));
    expect(answers.slice(0, 30)).toEqual(Array(30).fill(0));
    expect(answers[30]).toBe(2); // the next token comes in 2 s
    c.advance(1999);
    expect(limiter.take("203.0.113.9")).toBe(1);
    c.advance(1);
    expect(limiter.take("203.0.113.9")).toBe(0);
    // Another address has its own bucket.
    expect(limiter.take("198.51.100.1")).toBe(0);
  });

  it("bounds every client together, also those whose address nobody vouches for", () => {
    const c = clock();
    const limiter = new LoginStartLimiter({ perAddressPerMinute: 30, perSecond: 5 }, c.now);
    const answers = Array.from({ length: 6 }, (_, i) => limiter.take(i % 2 ? null : `192.0.2.${i}`));
    expect(answers).toEqual([0, 0, 0, 0, 0, 1]);
    c.advance(200);
    expect(limiter.take(null)).toBe(0);
    expect(limiter.take(null)).toBe(1);
  });

  it("takes nothing from a refused start, and remembers a bounded number of addresses", () => {
    const c = clock();
    const limiter = new LoginStartLimiter({ perAddressPerMinute: 1, perSecond: 1000, maxAddresses: 2 }, c.now);
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBe(60);
    // A refused start by "a" did not cost the others anything.
    expect(limiter.take("b")).toBe(0);
    // A third address pushes out the idlest ("a" was used before "b"): it starts full again.
    expect(limiter.take("c")).toBe(0);
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("c")).toBe(60);
  });
});
