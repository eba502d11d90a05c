// The cross-process proof: four Node processes running the token service (test/support/token/worker.ts)
// started cold on a fresh PostgreSQL database, with the simulator in this process. Their clocks are
// frozen like the simulator's and moved together with it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, postgresSkipReason, type TestDatabase } from "@/test/support/db";
import { START_TIME } from "@/test/support/world";
import { startSimulator, type Simulator } from "@/simulator/server";
import { clearTokenTables } from "@/test/support/token/world";
import { startWorker, type Worker } from "@/test/support/token/workers";

const TOKEN = "/cgi-bin/token";
const STABLE = "/cgi-bin/stable_token";
const skipReason = postgresSkipReason();

/** Waits for a condition another process brings about (not for time to pass). */
async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

if (skipReason) {
  console.warn(`[tests] PostgreSQL skipped: ${skipReason}`);
  describe.skip(`PostgreSQL skipped: ${skipReason}`, () => {
    it("four processes share one token", () => {});
  });
} else {
  describe("four processes on PostgreSQL", () => {
    let database: (TestDatabase & { drop(): Promise<void> }) | undefined;
    let sim: Simulator;
    let workers: Worker[] = [];

    const db = () => database!.db;
    const upstream = (path: string) => sim.requests().filter((r) => r.path === path).length;
    const all = <T>(fn: (w: Worker) => Promise<T>) => Promise.all(workers.map(fn));
    const advance = async (seconds: number) => {
      sim.advance(seconds);
      await all((w) => w.call("POST", "/advance", { seconds }));
    };
    const reset = async (api: "stable" | "classic") => {
      sim.reset();
      await clearTokenTables(db());
      await all((w) => w.call("POST", "/reset", { api }));
    };

    beforeAll(async () => {
      database = await createTestDatabase("postgresql");
      sim = await startSimulator({ startTime: START_TIME });
      const env = {
        DATABASE_URL: database.url,
        WECHAT_API_BASE: sim.url,
        WECHAT_API_BACKUP_BASE: sim.backupUrl,
        WORKER_START_MS: String(START_TIME),
        WORKER_RANDOM: "0.5",
      };
      workers = await Promise.all(["w1", "w2", "w3", "w4"].map((name) => startWorker(name, env)));
    }, 90_000);

    afterAll(async () => {
      await Promise.all(workers.map((w) => w.kill()));
      await sim?.close();
      await database?.drop();
    });

    beforeEach(() => reset("stable"));

    it("1,000 concurrent reads from four cold processes make exactly one upstream fetch", async () => {
      const results = await all((w) => w.call<{ values: string[] }>("GET", "/read?n=250"));
      const values = new Set(results.flatMap((r) => r.values));
      expect(values.size).toBe(1);
      expect(upstream(STABLE)).toBe(1);
      expect(sim.requests()).toHaveLength(1);
      expect(sim.basicTokens.check([...values][0]!)).toBeNull();
    });

    it("a 40001 storm from all four (classic) makes one fetch", async () => {
      await reset("classic");
      const [{ values }] = await Promise.all([workers[0]!.call<{ values: string[] }>("GET", "/read?n=1")]);
      const bad = values![0]!;
      await all((w) => w.call("GET", "/read?n=10"));
      const storm = await all((w) => w.call<{ values: string[] }>("POST", "/report", { value: bad, n: 250 }));
      const fresh = new Set(storm.flatMap((r) => r.values));
      expect(fresh.size).toBe(1);
      expect(fresh.has(bad)).toBe(false);
      expect(upstream(TOKEN)).toBe(2);
      expect(sim.basicTokens.check([...fresh][0]!)).toBeNull();
    });

    it("a storm after WeChat invalidated the token (stable) makes one fetch, no force_refresh", async () => {
      const bad = (await workers[0]!.call<{ values: string[] }>("GET", "/read?n=1")).values[0]!;
      sim.basicTokens.invalidateAll();
      const storm = await all((w) => w.call<{ values: string[] }>("POST", "/report", { value: bad, n: 250 }));
      expect(new Set(storm.flatMap((r) => r.values)).size).toBe(1);
      expect(upstream(STABLE)).toBe(2);
      expect(sim.requests().some((r) => r.body.includes('"force_refresh":true'))).toBe(false);
    });

    it("killing the leader mid-refresh loses no token: readers keep the old one, a new leader takes over", async () => {
      await reset("classic");
      const [leader, ...rest] = workers as [Worker, ...Worker[]];
      const first = (await leader.call<{ values: string[] }>("GET", "/read?n=1")).values[0]!;
      expect(await leader.call("POST", "/tick")).toMatchObject({ leader: true });
      for (const w of rest) expect(await w.call("POST", "/tick")).toMatchObject({ leader: false });

      await advance(7200 - 15 * 60);
      // Both hosts hang: the leader's refresh stays in flight, holding the fetch lease, until it is killed.
      sim.setOutage("primary", { kind: "timeout" });
      sim.setOutage("backup", { kind: "timeout" });
      const inFlight = leader.call("POST", "/tick").catch(() => "killed");
      await until("the leader's fetch to reach WeChat", () => upstream(TOKEN) === 2);
      await leader.kill();
      expect(await inFlight).toBe("killed");
      sim.setOutage("primary", null);
      sim.setOutage("backup", null);

      for (const w of rest) {
        expect((await w.call<{ values: string[] }>("GET", "/read?n=5")).values).toEqual([first]);
        expect(await w.call("POST", "/tick")).toMatchObject({ leader: false });
      }
      expect(sim.basicTokens.check(first)).toBeNull();

      // The dead leader's leases (60 s) run out: the next tick elects a new leader, which refreshes.
      sim.advance(61);
      await Promise.all(rest.map((w) => w.call("POST", "/advance", { seconds: 61 })));
      const ticks = await Promise.all(
        rest.map((w) => w.call<{ leader: boolean; refreshed: string[] }>("POST", "/tick")),
      );
      expect(ticks.filter((t) => t.leader)).toHaveLength(1);
      expect(ticks.flatMap((t) => t.refreshed)).toEqual(["access_token"]);
      const reads = await Promise.all(rest.map((w) => w.call<{ values: string[] }>("GET", "/read?n=5")));
      const second = reads.flatMap((r) => r.values);
      expect(new Set(second).size).toBe(1);
      expect(second[0]).not.toBe(first);
      expect(sim.basicTokens.check(second[0]!)).toBeNull();
      expect(upstream(TOKEN)).toBe(3);
      workers = rest;
    });
  });
}
