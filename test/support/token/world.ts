// Test world for the token service: a test database, the in-process simulator (both origins), one
// clock shared by every service instance and the simulator, and a factory for "instances" (separate
// TokenService objects on the same database, as separate processes would be).
import { afterAll, beforeAll, beforeEach } from "vitest";
import { parseEnv } from "@/lib/env";
import type { Db } from "@/lib/db";
import { TestClock, START_TIME } from "../world";
import type { TestDatabase } from "../db";
import { startSimulator, type Simulator } from "@/simulator/server";
import { createTokenService, type TokenService, type TokenServiceDeps } from "@/lib/token/service";
import { clearTokenTables } from "@/lib/token/store";

export interface TokenWorld {
  readonly db: Db;
  readonly sim: Simulator;
  readonly clock: TestClock;
  /** A service instance named `instance` (its own cache, hosts and leases). */
  make(instance: string, options?: { api?: "stable" | "classic" } & Partial<TokenServiceDeps>): TokenService;
  /** Upstream requests to `path` so far. */
  upstream(path: string): number;
}

export { clearTokenTables };

export function useTokenWorld(database: () => TestDatabase): () => TokenWorld {
  let world: TokenWorld | undefined;
  let sim: Simulator | undefined;

  beforeAll(async () => {
    const simulator = await startSimulator({ startTime: START_TIME });
    sim = simulator;
    const { db, url } = database();
    const clock = new TestClock(simulator);
    world = {
      db,
      sim: simulator,
      clock,
      make(instance, options = {}) {
        const env = parseEnv(
          {
            DATABASE_URL: url,
            WECHAT_API_BASE: simulator.url,
            WECHAT_API_BACKUP_BASE: simulator.backupUrl,
            WECHAT_TOKEN_API: options.api ?? "classic",
          },
          false,
        );
        const { api: _api, ...overrides } = options;
        return createTokenService(env, db, {
          now: clock.now,
          // Waiting for another instance's write: real (short) time passes so its I/O can finish.
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
          random: () => 0.5,
          instance,
          http: { timeoutMs: 2000, retries: 2, sleep: async () => {} },
          ...overrides,
        });
      },
      upstream: (path) => simulator.requests().filter((r) => r.path === path).length,
    };
  });

  beforeEach(async () => {
    if (!world || !sim) return;
    sim.reset();
    world.clock.reset();
    await clearTokenTables(world.db);
  });

  afterAll(async () => {
    await sim?.close();
  });

  return () => {
    if (!world) throw new Error("the token world is not ready");
    return world;
  };
}
