// /api/auth/wechat/qr: a cross-site start is refused before anything is made; a start sets the binding
// cookie (HttpOnly, only for these routes); a poll without it, or for a malformed id, learns nothing.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { startSimulator, type Simulator } from "@/simulator/server";

const APP = "http://localhost:3000";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

forEachDatabase((_kind, database) => {
  let sim: Simulator;
  let start: { POST: Handler };
  let poll: { GET: Handler };

  beforeAll(async () => {
    sim = await startSimulator();
    Object.assign(process.env, {
      APP_URL: APP,
      DATABASE_URL: database().url,
      WECHAT_API_BASE: sim.url,
      WECHAT_OAUTH_BASE: sim.url,
    });
    vi.resetModules();
    (globalThis as { wcucDb?: unknown }).wcucDb = database().db;
    start = (await import("@/app/api/auth/wechat/qr/route")) as unknown as typeof start;
    poll = (await import("@/app/api/auth/wechat/qr/[id]/route")) as unknown as typeof poll;
  });
  afterAll(async () => {
    delete (globalThis as { wcucDb?: unknown }).wcucDb;
    await sim.close();
  });
  const none = { params: Promise.resolve({}) };

  describe("/api/auth/wechat/qr", () => {
    it("refuses a cross-site start without making a code", async () => {
      sim.clearRequests();
      const response = await start.POST(
        new Request(`${APP}/api/auth/wechat/qr`, { method: "POST", headers: { origin: "https://evil.example" } }),
        none,
      );
      expect(response.status).toBe(403);
      expect(sim.requests().filter((r) => r.path === "/cgi-bin/qrcode/create")).toEqual([]);
    });

    it("starts with a binding cookie; a poll without it is 404, a malformed id 400", async () => {
      const response = await start.POST(
        new Request(`${APP}/api/auth/wechat/qr`, { method: "POST", headers: { origin: APP } }),
        none,
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as { id: string; qrUrl: string; expiresAt: string };
      expect(Object.keys(body).sort()).toEqual(["expiresAt", "id", "qrUrl"]);
      const cookie = response.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(/^wcuc_qr_login=/);
      expect(cookie).toContain("HttpOnly");
      expect(cookie).toContain("Path=/api/auth/wechat/qr");

      const stranger = await poll.GET(new Request(`${APP}/api/auth/wechat/qr/${body.id}`), {
        params: Promise.resolve({ id: body.id }),
      });
      expect(stranger.status).toBe(404);
      const owner = await poll.GET(
        new Request(`${APP}/api/auth/wechat/qr/${body.id}`, { headers: { cookie: cookie.split(";")[0]! } }),
        {
          params: Promise.resolve({ id: body.id }),
        },
      );
      expect(await owner.json()).toEqual({ status: "pending" });
      expect(
        (await poll.GET(new Request(`${APP}/api/auth/wechat/qr/x`), { params: Promise.resolve({ id: "x" }) })).status,
      ).toBe(400);
    });
  });
});
