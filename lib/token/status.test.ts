import { describe, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { tokenStatus } from "./status";
import { useTokenWorld } from "@/test/support/token/world";

forEachDatabase((_kind, database) => {
  const world = useTokenWorld(database);

  describe("tokenStatus", () => {
    it("shows age, time to expiry, the leader, fetches today and the last errors, never a value", async () => {
      const w = world();
      const a = w.make("a");
      const token = await a.accessToken();
      await a.tick();
      w.sim.failNext("/cgi-bin/token", { kind: "errcode", errcode: 40164 });
      w.clock.advance(600);
      await expect(a.reportInvalid("access_token", token.value)).rejects.toMatchObject({ errcode: 40164 });
      const status = await tokenStatus(w.db, a.appId, w.clock.now());
      expect(status.credentials).toHaveLength(1);
      expect(status.credentials[0]).toMatchObject({
        kind: "access_token",
        source: "classic",
        ageSeconds: 600,
        expiresInSeconds: 6600,
        fingerprint: token.fingerprint,
      });
      // No replacement could be fetched, so the reported value is served again rather than nothing.
      expect(status.credentials[0]!.invalidatedAt).toBeNull();
      expect(status.leader).toMatchObject({ holder: "a", active: false });
      expect(status.fetchesToday.find((f) => f.api === "classic")).toEqual({
        api: "classic",
        ok: 1,
        failed: 1,
        limit: 2000,
      });
      expect(status.lastErrors).toMatchObject([{ errcode: 40164, api: "classic", instance: "a" }]);
      expect(JSON.stringify(status)).not.toContain(token.value);
    });
  });
});
