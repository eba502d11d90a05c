// The benchmark floor exists only when a benchmark asks for it.
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET } from "./route";

describe("GET /api/bench/floor", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("is 404 unless WCUC_BENCH=1", () => {
    vi.stubEnv("WCUC_BENCH", "");
    expect(GET().status).toBe(404);
    vi.stubEnv("WCUC_BENCH", "true");
    expect(GET().status).toBe(404);
  });

  it("answers a bare JSON body under WCUC_BENCH=1", async () => {
    vi.stubEnv("WCUC_BENCH", "1");
    const res = GET();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
