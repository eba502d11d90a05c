import { describe, expect, it } from "vitest";
import { forEachDatabase } from "@/lib/testing/db";
import { acquireLease, releaseLease } from "./lease";
import { clearTokenTables } from "./store";

const T0 = new Date(Date.UTC(2026, 0, 15, 8));
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

forEachDatabase((_kind, database) => {
  describe("leases", () => {
    it("one holder at a time; renewal only with renew; taken over once expired, with a new fencing", async () => {
      const { db } = database();
      await clearTokenTables(db);
      const name = "token:test:leader";
      const a = await acquireLease(db, { name, holder: "a", ttlMs: 60_000, now: T0 });
      expect(a).toMatchObject({ holder: "a", fencing: 1 });
      expect(await acquireLease(db, { name, holder: "b", ttlMs: 60_000, now: at(30) })).toBeNull();
      expect(await acquireLease(db, { name, holder: "a", ttlMs: 60_000, now: at(30) })).toBeNull();
      expect(await acquireLease(db, { name, holder: "a", ttlMs: 60_000, now: at(30), renew: true })).toMatchObject({
        fencing: 1,
      });
      expect(await acquireLease(db, { name, holder: "b", ttlMs: 60_000, now: at(89) })).toBeNull();
      const b = await acquireLease(db, { name, holder: "b", ttlMs: 60_000, now: at(90) });
      expect(b).toMatchObject({ holder: "b", fencing: 2 });
      // a's stale release does nothing to b's lease.
      await releaseLease(db, a!, at(91));
      expect(await acquireLease(db, { name, holder: "c", ttlMs: 60_000, now: at(92) })).toBeNull();
      await releaseLease(db, b!, at(93));
      expect(await acquireLease(db, { name, holder: "c", ttlMs: 60_000, now: at(93) })).toMatchObject({ fencing: 3 });
    });

    it("of many concurrent takers exactly one wins", async () => {
      const { db } = database();
      await clearTokenTables(db);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          acquireLease(db, { name: "token:test:race", holder: `h${i}`, ttlMs: 60_000, now: T0 }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const expiredRace = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          acquireLease(db, { name: "token:test:race", holder: `k${i}`, ttlMs: 60_000, now: at(61) }),
        ),
      );
      expect(expiredRace.filter(Boolean)).toHaveLength(1);
    });
  });
});
