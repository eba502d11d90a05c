// adminRoute against a real database: who gets in, with which method, from where; and the end user's
// and the staff's sessions never open each other's doors. On SQLite and PostgreSQL.
import { sealData } from "iron-session";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { parseEnv } from "@/lib/env";
import { forEachDatabase } from "@/test/support/db";
import { makeRequest } from "@/test/support/cookies";
import { makeStaff, staffCookie } from "@/test/support/admin";
import { createStaff } from "./staff";

const APP = "http://localhost:3000";
type Guard = typeof import("./guard");
type Globals = { wcucDb?: unknown };

forEachDatabase((_kind, database) => {
  let guard: Guard;
  // From the same module registry as the guard's (instanceof AppError must hold).
  let AppError: typeof import("@/lib/errors").AppError;
  beforeAll(async () => {
    process.env.APP_URL = APP;
    vi.resetModules();
    (globalThis as Globals).wcucDb = database().db;
    guard = await import("./guard");
    ({ AppError } = await import("@/lib/errors"));
  });
  afterAll(() => {
    delete (globalThis as Globals).wcucDb;
  });
  beforeEach(async () => {
    await database().db.staff.deleteMany();
  });

  const echo = () => guard.adminRoute(async (_request, { staff, params }) => Response.json({ staff, params }));
  const call = (
    handler: ReturnType<Guard["adminRoute"]>,
    method: string,
    headers: Record<string, string> = {},
    params: Record<string, string> = {},
  ) => handler(makeRequest(`${APP}/api/admin/thing`, { method, headers }), { params: Promise.resolve(params) });
  const body = async (res: Response) => (await res.json()) as { error?: { code: string; message: string } };

  describe("adminRoute", () => {
    it("carries the marker", () => {
      expect(echo()[guard.ADMIN_ROUTE]).toBe(true);
    });

    it("is 401 JSON without a session, for every method", async () => {
      for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]) {
        const res = await call(echo(), method);
        expect(res.status).toBe(401);
        expect(res.headers.get("cache-control")).toBe("no-store");
        if (method !== "HEAD")
          expect((await body(res)).error).toEqual({ code: "unauthenticated", message: "请先登录管理后台。" });
      }
    });

    it("lets a viewer read, with the awaited params", async () => {
      const viewer = await makeStaff(database().db, "viewer");
      const res = await call(echo(), "GET", { cookie: await staffCookie(viewer) }, { id: "u1" });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        staff: { id: viewer.id, email: viewer.email, role: "viewer" },
        params: { id: "u1" },
      });
    });

    it("refuses a viewer every change (403 forbidden), lets an admin from our origin make it", async () => {
      const viewer = await makeStaff(database().db, "viewer");
      const admin = await makeStaff(database().db, "admin");
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const refused = await call(echo(), method, { cookie: await staffCookie(viewer), origin: APP });
        expect(refused.status).toBe(403);
        expect((await body(refused)).error).toEqual({ code: "forbidden", message: "没有权限执行此操作。" });
        const allowed = await call(echo(), method, { cookie: await staffCookie(admin), origin: APP });
        expect(allowed.status).toBe(200);
      }
    });

    it("refuses an admin's change from another site (403 cross_site)", async () => {
      const admin = await makeStaff(database().db, "admin");
      const cookie = await staffCookie(admin);
      const sites: Record<string, string>[] = [
        { origin: "https://evil.example" },
        { referer: "https://evil.example/page" },
        { "sec-fetch-site": "cross-site" },
      ];
      for (const headers of sites) {
        const res = await call(echo(), "POST", { cookie, ...headers });
        expect(res.status).toBe(403);
        expect((await body(res)).error?.code).toBe("cross_site");
      }
    });

    it("reads the account on every request: a disabled account or a new password signs out, a new role applies", async () => {
      const { db } = database();
      const staff = await makeStaff(db, "viewer", "ops@example.com");
      const cookie = await staffCookie(staff);
      const post = () => call(echo(), "POST", { cookie, origin: APP });
      expect((await post()).status).toBe(403);
      await db.staff.update({ where: { id: staff.id }, data: { role: "admin" } });
      expect((await post()).status).toBe(200);
      await db.staff.update({ where: { id: staff.id }, data: { disabledAt: new Date() } });
      expect((await post()).status).toBe(401);
      await db.staff.update({ where: { id: staff.id }, data: { disabledAt: null } });
      expect((await post()).status).toBe(200);
      await createStaff(
        db,
        { email: "ops@example.com", password: "a-new-password-9", role: "admin" },
        { update: true },
      );
      expect((await post()).status).toBe(401);
      await db.staff.delete({ where: { id: staff.id } });
      expect((await call(echo(), "GET", { cookie })).status).toBe(401);
    });

    it("refuses forged, foreign-secret and expired tokens", async () => {
      const staff = await makeStaff(database().db, "admin");
      const { encode } = await import("next-auth/jwt");
      const claims = { sub: staff.id, email: staff.email, role: "admin", pwv: staff.pwv };
      const cookies = [
        "wcuc_staff.session-token=not-a-jwt",
        `wcuc_staff.session-token=${await encode({ token: claims, secret: "another-secret-that-is-long-enough-0123", salt: "wcuc_staff.session-token" })}`,
        // The right secret, but minted for another cookie name (salt).
        `wcuc_staff.session-token=${await encode({ token: claims, secret: parseEnv({}, false).AUTH_SECRET, salt: "authjs.session-token" })}`,
        await staffCookie(staff, -60),
      ];
      for (const cookie of cookies) expect((await call(echo(), "GET", { cookie })).status).toBe(401);
    });

    it("remembers a decrypted session only while it is valid: an expired token is refused, seen before or not", async () => {
      const staff = await makeStaff(database().db, "admin");
      const cookie = await staffCookie(staff, 60);
      const value = cookie.slice(cookie.indexOf("=") + 1);
      const start = Date.now();
      vi.useFakeTimers({ toFake: ["Date"], now: start });
      try {
        expect(await guard.staffToken(value)).toMatchObject({ sub: staff.id, role: "admin" });
        expect((await call(echo(), "GET", { cookie })).status).toBe(200);
        // Past the token's 60 s (and next-auth's 15 s clock tolerance): remembered or not, it is over.
        vi.setSystemTime(start + 120_000);
        expect(await guard.staffToken(value)).toBeNull();
        expect((await call(echo(), "GET", { cookie })).status).toBe(401);
      } finally {
        vi.useRealTimers();
      }
      // A remembered session still meets the account on every request.
      const fresh = await staffCookie(staff);
      expect((await call(echo(), "GET", { cookie: fresh })).status).toBe(200);
      await database().db.staff.update({ where: { id: staff.id }, data: { disabledAt: new Date() } });
      expect((await call(echo(), "GET", { cookie: fresh })).status).toBe(401);
    });

    it("maps what the handler throws through errorResponse", async () => {
      const admin = await makeStaff(database().db, "admin");
      const cookie = await staffCookie(admin);
      const bad = guard.adminRoute(async () => {
        throw new AppError("bad_request");
      });
      const broken = guard.adminRoute(async () => {
        throw new Error("database exploded at 10.0.0.5");
      });
      const a = await call(bad, "GET", { cookie });
      expect(a.status).toBe(400);
      expect((await body(a)).error?.code).toBe("bad_request");
      const b = await call(broken, "GET", { cookie });
      expect(b.status).toBe(500);
      const text = JSON.stringify(await body(b));
      expect(text).toContain("internal");
      expect(text).not.toContain("10.0.0.5");
    });
  });

  describe("the two sessions stay apart", () => {
    it("an end user's wcuc_session opens nothing under /api/admin", async () => {
      const user = await database().db.user.create({ data: {} });
      const sealed = await sealData({ userId: user.id, iat: 1 }, { password: parseEnv({}, false).SESSION_SECRET });
      const res = await call(echo(), "GET", { cookie: `wcuc_session=${sealed}` });
      expect(res.status).toBe(401);
      // Nor does the same value under the staff cookie's name.
      expect((await call(echo(), "GET", { cookie: `wcuc_staff.session-token=${sealed}` })).status).toBe(401);
      await database().db.user.delete({ where: { id: user.id } });
    });

    it("a staff session is not an end user's session: /api/me is 401", async () => {
      const admin = await makeStaff(database().db, "admin");
      const { GET } = await import("@/app/api/me/route");
      const res = await GET(makeRequest(`${APP}/api/me`, { headers: { cookie: await staffCookie(admin) } }));
      expect(res.status).toBe(401);
      expect((await body(res)).error?.code).toBe("unauthenticated");
    });
  });
});
