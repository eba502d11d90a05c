// Staff accounts and sign-in checks against a real database, on SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { log } from "@/lib/log";
import { forEachDatabase } from "@/test/support/db";
import {
  activeStaff,
  revokeStaffSession,
  authenticateStaff,
  createStaff,
  MAX_FAILURES_PER_EMAIL,
  MAX_FAILURES_GLOBAL,
  MAX_FAILURES_PER_IP,
  SIGNIN_WINDOW_MS,
  SLOWED_INTERVAL_MS,
  signInSlowedDown,
  StaffInputError,
  UNKNOWN_IP,
} from "./staff";
import { makeStaff, TEST_PASSWORD } from "@/test/support/admin";

const T0 = new Date("2026-11-21T08:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

forEachDatabase((_kind, database) => {
  beforeEach(async () => {
    const { db } = database();
    await db.signInAttempt.deleteMany();
    await db.staff.deleteMany();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe("createStaff", () => {
    it("stores a lower-cased email, the role and an argon2id hash", async () => {
      const { db } = database();
      const { staff, created } = await createStaff(db, {
        email: " Ops@Example.COM ",
        password: TEST_PASSWORD,
        role: "viewer",
      });
      expect(created).toBe(true);
      const row = await db.staff.findUniqueOrThrow({ where: { id: staff.id } });
      expect(row).toMatchObject({ email: "ops@example.com", role: "viewer", disabledAt: null });
      expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    });

    it("changes an existing account only with update", async () => {
      const { db } = database();
      const first = await makeStaff(db, "viewer", "ops@example.com");
      await expect(
        createStaff(db, { email: "ops@example.com", password: "another-password-1", role: "admin" }),
      ).rejects.toThrow(/--update/);
      const { staff, created } = await createStaff(
        db,
        { email: "OPS@example.com", password: "another-password-1", role: "admin" },
        { update: true },
      );
      expect(created).toBe(false);
      expect(staff).toMatchObject({ id: first.id, role: "admin" });
      expect(staff.pwv).not.toBe(first.pwv);
    });

    it.each([
      [{ email: "not-an-email", password: TEST_PASSWORD, role: "admin" }, /邮箱/],
      [{ email: "a@example.com", password: TEST_PASSWORD, role: "root" }, /角色/],
      [{ email: "a@example.com", password: "short", role: "admin" }, /12/],
    ])("refuses %j", async (input, message) => {
      const error = await createStaff(database().db, input).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(StaffInputError);
      expect((error as Error).message).toMatch(message);
      expect(await database().db.staff.count()).toBe(0);
    });
  });

  describe("authenticateStaff", () => {
    it("accepts the right password (any case of email), records the attempt and the sign-in time", async () => {
      const { db } = database();
      const staff = await makeStaff(db, "admin", "boss@example.com");
      const result = await authenticateStaff(
        db,
        { email: "Boss@Example.com", password: TEST_PASSWORD, ip: "10.0.0.1" },
        T0,
      );
      expect(result).toEqual({ ok: true, staff });
      expect(await db.signInAttempt.findMany({ select: { email: true, ip: true, success: true } })).toEqual([
        { email: "boss@example.com", ip: "10.0.0.1", success: true },
      ]);
      expect((await db.staff.findUniqueOrThrow({ where: { id: staff.id } })).lastSignInAt).toEqual(T0);
    });

    it("answers a wrong password, an unknown email and a disabled account alike, and logs why (never the password)", async () => {
      const { db } = database();
      const warn = vi.spyOn(log, "warn");
      await makeStaff(db, "admin", "boss@example.com");
      const gone = await makeStaff(db, "viewer", "gone@example.com");
      await db.staff.update({ where: { id: gone.id }, data: { disabledAt: T0 } });
      const tries = [
        { email: "boss@example.com", password: "wrong-password-123" },
        { email: "nobody@example.com", password: TEST_PASSWORD },
        { email: "gone@example.com", password: TEST_PASSWORD },
      ];
      for (const t of tries) {
        expect(await authenticateStaff(db, { ...t, ip: "10.0.0.2" }, T0)).toEqual({
          ok: false,
          reason: "bad_credentials",
        });
      }
      expect(warn.mock.calls.map(([event, fields]) => [event, fields?.reason])).toEqual([
        ["staff_signin_failed", "wrong_password"],
        ["staff_signin_failed", "unknown_email"],
        ["staff_signin_failed", "disabled"],
      ]);
      expect(warn.mock.calls[0]?.[1]).toEqual({ email: "boss@example.com", ip: "10.0.0.2", reason: "wrong_password" });
      expect(JSON.stringify(warn.mock.calls)).not.toMatch(/wrong-password-123|correct-horse/);
      expect(await db.signInAttempt.count({ where: { success: false } })).toBe(3);
    });

    it(`refuses the ${MAX_FAILURES_PER_EMAIL + 1}th try within 15 minutes per account, even with the right password`, async () => {
      const { db } = database();
      await makeStaff(db, "admin", "boss@example.com");
      for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) {
        const r = await authenticateStaff(
          db,
          { email: "boss@example.com", password: "wrong-password-123", ip: `10.0.1.${i}` },
          at(i * 1000),
        );
        expect(r).toEqual({ ok: false, reason: "bad_credentials" });
      }
      const refused = await authenticateStaff(
        db,
        { email: "boss@example.com", password: TEST_PASSWORD, ip: "10.0.2.1" },
        at(60_000),
      );
      expect(refused).toEqual({ ok: false, reason: "rate_limited" });
      // Another account from the same addresses is not affected.
      await makeStaff(db, "viewer", "ops@example.com");
      expect(
        (await authenticateStaff(db, { email: "ops@example.com", password: TEST_PASSWORD, ip: "10.0.1.0" }, at(60_000)))
          .ok,
      ).toBe(true);
      // 15 minutes after the last failure the account may try again.
      const later = await authenticateStaff(
        db,
        { email: "boss@example.com", password: TEST_PASSWORD, ip: "10.0.2.1" },
        at(60_000 + SIGNIN_WINDOW_MS + 1000),
      );
      expect(later.ok).toBe(true);
    });

    it(`refuses the ${MAX_FAILURES_PER_IP + 1}th failure within 15 minutes per IP, across accounts`, async () => {
      const { db } = database();
      await makeStaff(db, "admin", "boss@example.com");
      for (let i = 0; i < MAX_FAILURES_PER_IP; i++) {
        await authenticateStaff(
          db,
          { email: `guess${i}@example.com`, password: "wrong-password-123", ip: "203.0.113.9" },
          at(i),
        );
      }
      expect(
        await authenticateStaff(db, { email: "boss@example.com", password: TEST_PASSWORD, ip: "203.0.113.9" }, at(100)),
      ).toEqual({
        ok: false,
        reason: "rate_limited",
      });
      expect(
        (
          await authenticateStaff(
            db,
            { email: "boss@example.com", password: TEST_PASSWORD, ip: "203.0.113.10" },
            at(100),
          )
        ).ok,
      ).toBe(true);
    });

    it("without a trusted client address there is no per-IP bucket for one guesser to fill for everyone", async () => {
      const { db } = database();
      await makeStaff(db, "admin", "boss@example.com");
      for (let i = 0; i < MAX_FAILURES_PER_IP + 5; i++) {
        await authenticateStaff(
          db,
          { email: `guess${i}@example.com`, password: "wrong-password-123", ip: null },
          at(i),
        );
      }
      const result = await authenticateStaff(
        db,
        { email: "boss@example.com", password: TEST_PASSWORD, ip: null },
        at(100),
      );
      expect(result.ok).toBe(true);
      expect(await db.signInAttempt.count({ where: { ip: UNKNOWN_IP } })).toBe(MAX_FAILURES_PER_IP + 6);
    });

    it("spraying 100 accounts from 100 addresses is stopped by the global limit, then one try per interval", async () => {
      const { db } = database();
      await makeStaff(db, "admin", "boss@example.com");
      const outcomes: string[] = [];
      // One guess every 100 ms, each from another address and for another account.
      for (let i = 0; i < 100; i++) {
        const result = await authenticateStaff(
          db,
          { email: `victim${i}@example.com`, password: "Winter2026!", ip: `198.51.100.${i}` },
          at(i * 100),
        );
        outcomes.push(result.ok ? "ok" : result.reason);
      }
      expect(outcomes.filter((o) => o === "bad_credentials")).toHaveLength(MAX_FAILURES_GLOBAL);
      // The sign-in page and the console say so while the window holds the failures, and not after.
      expect(await signInSlowedDown(db, at(10_000))).toBe(true);
      expect(await signInSlowedDown(db, at(SIGNIN_WINDOW_MS + 10_000))).toBe(false);
      expect(outcomes.slice(MAX_FAILURES_GLOBAL)).toEqual(Array(100 - MAX_FAILURES_GLOBAL).fill("slowed"));
      // While the spray goes on, every sign-in is slowed, the real one too…
      expect(
        await authenticateStaff(
          db,
          { email: "boss@example.com", password: TEST_PASSWORD, ip: "203.0.113.1" },
          at(10_000),
        ),
      ).toEqual({ ok: false, reason: "slowed" });
      // …and once nobody tried for the interval, one attempt gets its password checked.
      const quiet = at(10_000 + SLOWED_INTERVAL_MS + 1);
      expect(
        (await authenticateStaff(db, { email: "boss@example.com", password: TEST_PASSWORD, ip: "203.0.113.1" }, quiet))
          .ok,
      ).toBe(true);
    });

    it("a burst of concurrent guesses gets no more than the limit checked", async () => {
      const { db } = database();
      await makeStaff(db, "admin", "boss@example.com");
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          authenticateStaff(
            db,
            { email: "boss@example.com", password: `wrong-password-${i}`, ip: `10.9.0.${i}` },
            at(i),
          ),
        ),
      );
      const checked = results.filter((r) => !r.ok && r.reason === "bad_credentials").length;
      expect(checked).toBeLessThanOrEqual(MAX_FAILURES_PER_EMAIL);
      expect(await db.signInAttempt.count()).toBe(12);
    });

    it("a success forgives the account's earlier typos", async () => {
      const { db } = database();
      await makeStaff(db, "admin", "boss@example.com");
      const tryWith = (password: string, ms: number) =>
        authenticateStaff(db, { email: "boss@example.com", password, ip: "10.0.0.1" }, at(ms));
      for (let i = 0; i < MAX_FAILURES_PER_EMAIL - 1; i++) await tryWith("wrong-password-123", i);
      expect((await tryWith(TEST_PASSWORD, 10)).ok).toBe(true);
      for (let i = 0; i < MAX_FAILURES_PER_EMAIL - 1; i++) await tryWith("wrong-password-123", 20 + i);
      expect((await tryWith(TEST_PASSWORD, 30)).ok).toBe(true);
    });
  });

  describe("activeStaff", () => {
    it("is the account while it exists, is enabled and keeps its password", async () => {
      const { db } = database();
      const staff = await makeStaff(db, "viewer", "ops@example.com");
      expect(await activeStaff(db, staff.id, staff.pwv, "jti-1")).toEqual(staff);
      await db.staff.update({ where: { id: staff.id }, data: { role: "admin" } });
      expect((await activeStaff(db, staff.id, staff.pwv, "jti-1"))?.role).toBe("admin");
      await createStaff(
        db,
        { email: "ops@example.com", password: "a-new-password-9", role: "admin" },
        { update: true },
      );
      expect(await activeStaff(db, staff.id, staff.pwv, "jti-1")).toBeNull();
      const renewed = await makeStaff(db, "admin", "ops@example.com");
      await db.staff.update({ where: { id: staff.id }, data: { disabledAt: new Date() } });
      expect(await activeStaff(db, staff.id, renewed.pwv, "jti-1")).toBeNull();
      expect(await activeStaff(db, "missing", renewed.pwv, "jti-1")).toBeNull();
    });

    it("a signed-out session is refused, copies of its cookie too; the account's other sessions are not", async () => {
      const { db } = database();
      const staff = await makeStaff(db, "admin", "signout@example.com");
      const exp = Math.floor(Date.now() / 1000) + 3600;
      await revokeStaffSession(db, { sub: staff.id, sid: "session-a", exp }, new Date());
      expect(await activeStaff(db, staff.id, staff.pwv, "session-a")).toBeNull();
      expect(await activeStaff(db, staff.id, staff.pwv, "session-b")).toEqual(staff);
      // Signing out twice is harmless; revocations past their expiry are swept by the next sign-out.
      await revokeStaffSession(db, { sub: staff.id, sid: "session-a", exp }, new Date());
      await revokeStaffSession(db, { sub: staff.id, sid: "session-c", exp: exp + 1 }, new Date((exp + 10) * 1000));
      expect(await db.revokedStaffSession.findMany({ select: { jti: true } })).toEqual([{ jti: "session-c" }]);
    });
  });
});
