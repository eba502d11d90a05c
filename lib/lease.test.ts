import { describe, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { acquireLease, releaseLease, renewLease } from "./lease";
import { clearTokenTables } from "./token/store";

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

    it("a renewal names its fencing: a holder that stalled past its lease and was replaced learns it", async () => {
      const { db } = database();
      await clearTokenTables(db);
      const name = "sync:test";
      const a = (await acquireLease(db, { name, holder: "a", ttlMs: 60_000, now: T0 }))!;
      expect(await renewLease(db, a, at(50), 60_000)).toBe(true);
      expect(await acquireLease(db, { name, holder: "b", ttlMs: 60_000, now: at(100) })).toBeNull();
      // a stalls past 110 s; b takes over; a's late renewal fails and changes nothing.
      const b = (await acquireLease(db, { name, holder: "b", ttlMs: 60_000, now: at(111) }))!;
      expect(b.fencing).toBe(2);
      expect(await renewLease(db, a, at(112), 60_000)).toBe(false);
      // Even the same holder name, once replaced, cannot renew with its old fencing.
      const a2 = (await acquireLease(db, { name, holder: "a", ttlMs: 60_000, now: at(200) }))!;
      expect(await renewLease(db, a, at(201), 60_000)).toBe(false);
      expect(await renewLease(db, a2, at(201), 60_000)).toBe(true);
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
