// next-auth's own staff endpoints can neither bring back a signed-out session nor stretch one past its
// 8 hours: GET /session re-issues the cookie only for a session the guard would accept, keeping its sid
// and sign-in time, and every sign-out (also next-auth's POST /signout) revokes. On SQLite and PostgreSQL.
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { makeStaff, staffCookie } from "@/test/support/admin";
import type { StaffMember } from "@/lib/admin/staff";

const APP = "http://localhost:3000";
const BASE = `${APP}/api/auth/staff`;
const SESSION_COOKIE = "wcuc_staff.session-token";
type Globals = { wcucDb?: unknown };

function request(path: string, init: { method?: string; cookie?: string; body?: URLSearchParams } = {}) {
  const headers: Record<string, string> = { origin: APP, host: "localhost:3000" };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.body) headers["content-type"] = "application/x-www-form-urlencoded";
  return new NextRequest(`${BASE}${path}`, { method: init.method ?? "GET", headers, body: init.body });
}

/** The session cookie a response sets: its new value, "" when it clears it, undefined when it leaves it. */
function sessionCookieSet(response: Response): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const [pair = ""] = header.split(";");
    const eq = pair.indexOf("=");
    if (pair.slice(0, eq) !== SESSION_COOKIE) continue;
    return /max-age=0|expires=thu, 01 jan 1970/i.test(header) ? "" : pair.slice(eq + 1);
  }
  return undefined;
}

forEachDatabase((_kind, database) => {
  let route: typeof import("./route");
  let guard: typeof import("@/lib/admin/guard");
  let tokens: typeof import("@/lib/admin/session-token");
  let staff: StaffMember;

  beforeAll(async () => {
    process.env.APP_URL = APP;
    vi.resetModules();
    (globalThis as Globals).wcucDb = database().db;
    route = await import("./route");
    guard = await import("@/lib/admin/guard");
    tokens = await import("@/lib/admin/session-token");
  });
  afterAll(() => {
    delete (globalThis as Globals).wcucDb;
  });
  beforeEach(async () => {
    await database().db.revokedStaffSession.deleteMany();
    staff = await makeStaff(database().db, "admin", "session@example.com");
  });

  const readSession = (cookie: string) => route.GET(request("/session", { cookie }));
  const accepted = async (cookie: string) => (await guard.staffFromCookieHeader(cookie)) !== null;

  describe("GET /api/auth/staff/session", () => {
    it("re-issues a live session's cookie with the same sid and sign-in time", async () => {
      const cookie = await staffCookie(staff);
      const before = await tokens.decodeStaffToken(cookie.slice(SESSION_COOKIE.length + 1));
      const response = await readSession(cookie);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ user: { email: staff.email } });
      const renewed = sessionCookieSet(response);
      expect(renewed).toBeTruthy();
      const after = await tokens.decodeStaffToken(renewed);
      expect(after).toMatchObject({ sub: staff.id, sid: before!.sid, sia: before!.sia });
      expect(await accepted(`${SESSION_COOKIE}=${renewed}`)).toBe(true);
    });

    it("does not bring back a signed-out session: no new cookie, and a renewed copy is refused too", async () => {
      const cookie = await staffCookie(staff);
      // A copy renewed before sign-out carries the same session, so sign-out ends it as well.
      const renewedEarlier = sessionCookieSet(await readSession(cookie));
      const token = await tokens.decodeStaffToken(cookie.slice(SESSION_COOKIE.length + 1));
      const { revokeStaffSession } = await import("@/lib/admin/staff");
      await revokeStaffSession(database().db, token!, new Date());

      const response = await readSession(cookie);
      expect(sessionCookieSet(response)).toBe("");
      expect(await accepted(cookie)).toBe(false);
      expect(await accepted(`${SESSION_COOKIE}=${renewedEarlier}`)).toBe(false);
    });

    it("ends a session 8 hours after sign-in however often it was re-issued", async () => {
      const sia = Math.floor(Date.now() / 1000) - tokens.STAFF_SESSION_MAX_AGE - 1;
      // The token itself would still be valid for a day: only the sign-in time says the session is over.
      const cookie = `${SESSION_COOKIE}=${await tokens.encodeStaffToken(
        { sub: staff.id, email: staff.email, role: staff.role, pwv: staff.pwv, sid: "old-session", sia },
        86_400,
      )}`;
      expect(await accepted(cookie)).toBe(false);
      expect(sessionCookieSet(await readSession(cookie))).toBe("");
    });

    it("does not re-issue for a disabled account or after a password change", async () => {
      const cookie = await staffCookie(staff);
      await database().db.staff.update({ where: { id: staff.id }, data: { disabledAt: new Date() } });
      expect(sessionCookieSet(await readSession(cookie))).toBe("");
      await database().db.staff.update({ where: { id: staff.id }, data: { disabledAt: null, passwordHash: "x" } });
      expect(sessionCookieSet(await readSession(cookie))).toBe("");
    });
  });

  describe("POST /api/auth/staff/signout", () => {
    it("revokes the session: a copy of the cookie is refused afterwards", async () => {
      const cookie = await staffCookie(staff);
      expect(await accepted(cookie)).toBe(true);
      const csrf = await route.GET(request("/csrf"));
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const csrfCookie = csrf.headers
        .getSetCookie()
        .map((h) => h.split(";")[0])
        .join("; ");
      const response = await route.POST(
        request("/signout", {
          method: "POST",
          cookie: `${cookie}; ${csrfCookie}`,
          body: new URLSearchParams({ csrfToken }),
        }),
      );
      expect(response.status).toBeLessThan(400);
      expect(sessionCookieSet(response)).toBe("");
      expect(await accepted(cookie)).toBe(false);
      expect(await database().db.revokedStaffSession.count()).toBe(1);
    });
  });
});
