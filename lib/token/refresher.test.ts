import { afterEach, describe, expect, it, vi } from "vitest";
import { startRefresher } from "./refresher";
import type { TokenService, TickResult } from "./service";

afterEach(() => {
  vi.useRealTimers();
});

function fakeService(results: (TickResult | Error)[]) {
  const tick = vi.fn(async () => {
    const next = results.shift() ?? { leader: false, refreshed: [], errors: [] };
    if (next instanceof Error) throw next;
    return next;
  });
  return { service: { tick, deps: { instance: "test" } } as unknown as TokenService, tick };
}

describe("startRefresher", () => {
  it("ticks every interval ±20%, keeps going after a failed tick, and stops", async () => {
    vi.useFakeTimers();
    const { service, tick } = fakeService([new Error("database down"), { leader: true, refreshed: [], errors: [] }]);
    const refresher = startRefresher(service, { intervalMs: 1000, random: () => 0 });
    await vi.advanceTimersByTimeAsync(799);
    expect(tick).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(tick).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(800);
    expect(tick).toHaveBeenCalledTimes(2);
    refresher.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tick).toHaveBeenCalledTimes(2);
  });
});
