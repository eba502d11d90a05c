// First run: a one-time setup link while no staff member exists, and never after.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { log } from "@/lib/log";
import { forEachDatabase } from "@/test/support/db";
import { announceSetupIfNeeded, closeSetup, createFirstAdmin, isSetupTokenValid, SETUP_TOKEN_TTL_MS } from "./setup";
import { makeStaff, TEST_PASSWORD } from "@/test/support/admin";

type WarnSpy = { mock: { calls: unknown[][] } };

function loggedToken(warn: WarnSpy): string {
  const call = warn.mock.calls.find(([event]) => event === "admin_setup_required");
  const url = new URL(String((call?.[1] as { url?: string })?.url));
  expect(url.pathname).toBe("/admin/setup");
  return url.searchParams.get("token") ?? "";
}

forEachDatabase((_kind, database) => {
  beforeEach(async () => {
    closeSetup();
    await database().db.staff.deleteMany();
  });
  afterEach(() => vi.restoreAllMocks());

  describe("first-run setup", () => {
    it("logs a one-time link once, and the link creates the first admin once", async () => {
      const { db } = database();
      const warn = vi.spyOn(log, "warn");
      expect(await announceSetupIfNeeded(db)).toBe(true);
      expect(await announceSetupIfNeeded(db)).toBe(true);
      expect(warn.mock.calls.filter(([e]) => e === "admin_setup_required")).toHaveLength(1);
      const token = loggedToken(warn);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(isSetupTokenValid(token)).toBe(true);
      expect(isSetupTokenValid(`${token}x`)).toBe(false);

      // A weak password or bad email does not spend the link.
      await expect(createFirstAdmin(db, { token, email: "boss@example.com", password: "short" })).rejects.toThrow(/12/);
      await expect(createFirstAdmin(db, { token, email: "nope", password: TEST_PASSWORD })).rejects.toThrow(/邮箱/);
      expect(isSetupTokenValid(token)).toBe(true);

      const [first, second] = await Promise.allSettled([
        createFirstAdmin(db, { token, email: "boss@example.com", password: TEST_PASSWORD }),
        createFirstAdmin(db, { token, email: "evil@example.com", password: TEST_PASSWORD }),
      ]);
      expect(first.status).toBe("fulfilled");
      expect(second.status).toBe("rejected");
      expect(await db.staff.findMany({ select: { email: true, role: true } })).toEqual([
        { email: "boss@example.com", role: "admin" },
      ]);
      expect(isSetupTokenValid(token)).toBe(false);
      expect(await announceSetupIfNeeded(db)).toBe(false);
    });

    it("expires after an hour (a new link is logged)", async () => {
      const { db } = database();
      const warn = vi.spyOn(log, "warn");
      const now = Date.now();
      await announceSetupIfNeeded(db, now);
      const token = loggedToken(warn);
      expect(isSetupTokenValid(token, now + SETUP_TOKEN_TTL_MS + 1)).toBe(false);
      await expect(
        createFirstAdmin(
          db,
          { token, email: "boss@example.com", password: TEST_PASSWORD },
          now + SETUP_TOKEN_TTL_MS + 1,
        ),
      ).rejects.toThrow(/过期/);
      await announceSetupIfNeeded(db, now + SETUP_TOKEN_TTL_MS + 1);
      expect(warn.mock.calls.filter(([e]) => e === "admin_setup_required")).toHaveLength(2);
    });

    it("is closed while any staff member exists, token or not", async () => {
      const { db } = database();
      const warn = vi.spyOn(log, "warn");
      await announceSetupIfNeeded(db);
      const token = loggedToken(warn);
      await makeStaff(db, "viewer");
      await expect(createFirstAdmin(db, { token, email: "boss@example.com", password: TEST_PASSWORD })).rejects.toThrow(
        /已经存在/,
      );
      expect(await announceSetupIfNeeded(db)).toBe(false);
      expect(isSetupTokenValid(token)).toBe(false);
    });
  });
});
