// The internal API and /api/wechat/jssdk-config, called as handlers with Requests.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { forEachDatabase, type TestDatabase } from "@/test/support/db";
import { START_TIME } from "@/test/support/world";
import { clearTokenTables } from "@/test/support/token/world";
import { startSimulator, type Simulator } from "@/simulator/server";

const APP_URL = "http://localhost:3000";
const SECRET = "route-test-internal-secret-0123456789abcdefgh";

type Handler = (request: Request) => Promise<Response>;
interface Routes {
  readToken: Handler;
  refreshToken: Handler;
  readTicket: Handler;
  refreshTicket: Handler;
  readCardTicket: Handler;
  refreshCardTicket: Handler;
  jssdk: Handler;
}

const ENV_KEYS = [
  "NODE_ENV",
  "DATABASE_URL",
  "APP_URL",
  "WECHAT_OAUTH_BASE",
  "WECHAT_API_BASE",
  "WECHAT_API_BACKUP_BASE",
  "WECHAT_TOKEN_API",
  "INTERNAL_API_SECRET",
  "WECHAT_APP_ID",
  "WECHAT_APP_SECRET",
  "SESSION_SECRET",
  "TOKEN_ENCRYPTION_KEY",
  "AUTH_SECRET",
] as const;
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

async function load(database: TestDatabase, values: Partial<Record<(typeof ENV_KEYS)[number], string>>) {
  for (const key of ENV_KEYS) {
    const value = values[key];
    if (value === undefined) delete (process.env as Record<string, string | undefined>)[key];
    else (process.env as Record<string, string | undefined>)[key] = value;
  }
  vi.resetModules();
  (globalThis as { wcucDb?: unknown }).wcucDb = database.db;
  const [readToken, refreshToken, readTicket, refreshTicket, readCardTicket, refreshCardTicket, jssdk] =
    await Promise.all([
      import("./access-token/route"),
      import("./access-token/refresh/route"),
      import("./jsapi-ticket/route"),
      import("./jsapi-ticket/refresh/route"),
      import("./card-ticket/route"),
      import("./card-ticket/refresh/route"),
      import("@/app/api/wechat/jssdk-config/route"),
    ]);
  return {
    readToken: readToken.GET,
    refreshToken: refreshToken.POST,
    readTicket: readTicket.GET,
    refreshTicket: refreshTicket.POST,
    readCardTicket: readCardTicket.GET,
    refreshCardTicket: refreshCardTicket.POST,
    jssdk: jssdk.GET,
  } satisfies Routes;
}

const bearer = (secret = SECRET) => ({ authorization: `Bearer ${secret}` });
const get = (path: string, headers: Record<string, string> = bearer()) => new Request(`${APP_URL}${path}`, { headers });
const post = (path: string, body: unknown, headers: Record<string, string> = bearer()) =>
  new Request(`${APP_URL}${path}`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

forEachDatabase((_kind, database) => {
  let sim: Simulator;
  let routes: Routes;
  const devEnv = () => ({
    DATABASE_URL: database().url,
    APP_URL,
    WECHAT_OAUTH_BASE: sim.url,
    WECHAT_API_BASE: sim.url,
    WECHAT_API_BACKUP_BASE: sim.backupUrl,
    WECHAT_TOKEN_API: "classic",
    INTERNAL_API_SECRET: SECRET,
  });

  beforeAll(async () => {
    sim = await startSimulator({ startTime: START_TIME });
    routes = await load(database(), devEnv());
  });
  beforeEach(async () => {
    sim.reset();
    await clearTokenTables(database().db);
    // A fresh service each test: its in-process cache must not carry a token into the next one.
    routes = await load(database(), devEnv());
  });
  afterAll(async () => {
    await sim.close();
    for (const key of ENV_KEYS) {
      if (saved[key] === undefined) delete (process.env as Record<string, string | undefined>)[key];
      else (process.env as Record<string, string | undefined>)[key] = saved[key];
    }
    vi.resetModules();
    delete (globalThis as { wcucDb?: unknown }).wcucDb;
  });

  describe("GET /api/internal/wechat/access-token", () => {
    it("gives the central token to a caller with the bearer secret", async () => {
      const res = await routes.readToken(get("/api/internal/wechat/access-token"));
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const body = (await res.json()) as { access_token: string; expires_in: number; version: number };
      expect(sim.basicTokens.check(body.access_token)).toBeNull();
      expect(body.expires_in).toBeGreaterThan(7000);
      expect(body.version).toBe(1);
      const again = (await (await routes.readToken(get("/api/internal/wechat/access-token"))).json()) as {
        access_token: string;
      };
      expect(again.access_token).toBe(body.access_token);
      expect(sim.requests().filter((r) => r.path === "/cgi-bin/token")).toHaveLength(1);
    });

    it.each([
      ["no header", {}],
      ["a wrong secret", bearer("wrong-secret")],
      ["the secret with a suffix", bearer(`${SECRET}x`)],
      ["Basic", { authorization: `Basic ${SECRET}` }],
    ])("refuses %s with 401 and fetches nothing", async (_name, headers) => {
      const res = await routes.readToken(get("/api/internal/wechat/access-token", headers));
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("internal_api_unauthorized");
      expect(sim.requests()).toHaveLength(0);
    });

    it("surfaces a configuration error with its errcode", async () => {
      sim.failNext("/cgi-bin/token", { kind: "errcode", errcode: 40164 });
      const res = await routes.readToken(get("/api/internal/wechat/access-token"));
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ error: { code: "wechat_config", errcode: 40164 } });
    });
  });

  describe("POST /api/internal/wechat/access-token/refresh", () => {
    it("replaces the reported token only while it is current", async () => {
      const first = (
        (await (await routes.readToken(get("/api/internal/wechat/access-token"))).json()) as {
          access_token: string;
        }
      ).access_token;
      const res = await routes.refreshToken(post("/api/internal/wechat/access-token/refresh", { access_token: first }));
      expect(res.status).toBe(200);
      const second = ((await res.json()) as { access_token: string; version: number }).access_token;
      expect(second).not.toBe(first);
      const late = await routes.refreshToken(
        post("/api/internal/wechat/access-token/refresh", { access_token: first }),
      );
      expect(((await late.json()) as { access_token: string }).access_token).toBe(second);
      expect(sim.requests().filter((r) => r.path === "/cgi-bin/token")).toHaveLength(2);
    });

    it("400 for a body without the token; 401 before reading the body", async () => {
      expect(
        (await routes.refreshToken(post("/api/internal/wechat/access-token/refresh", { token: "x" }))).status,
      ).toBe(400);
      expect((await routes.refreshToken(post("/api/internal/wechat/access-token/refresh", "{"))).status).toBe(400);
      expect(
        (await routes.refreshToken(post("/api/internal/wechat/access-token/refresh", { access_token: "x" }, {})))
          .status,
      ).toBe(401);
    });
  });

  describe("jsapi_ticket", () => {
    it("GET and POST /refresh work like the access_token's", async () => {
      const res = await routes.readTicket(get("/api/internal/wechat/jsapi-ticket"));
      const { ticket } = (await res.json()) as { ticket: string };
      expect(sim.tickets.isValid(ticket)).toBe(true);
      const refreshed = await routes.refreshTicket(post("/api/internal/wechat/jsapi-ticket/refresh", { ticket }));
      expect(((await refreshed.json()) as { ticket: string }).ticket).not.toBe(ticket);
    });
  });

  describe("card api_ticket (wx_card)", () => {
    it("GET gives the central card ticket, a wx_card ticket and not the jsapi_ticket; read again, the same one", async () => {
      const res = await routes.readCardTicket(get("/api/internal/wechat/card-ticket"));
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const body = (await res.json()) as { ticket: string; expires_in: number; version: number };
      expect(sim.tickets.isValid(body.ticket, "wx_card")).toBe(true);
      expect(sim.tickets.isValid(body.ticket)).toBe(false);
      expect(body.version).toBe(1);
      expect(body.expires_in).toBeGreaterThan(7000);
      const again = (await (await routes.readCardTicket(get("/api/internal/wechat/card-ticket"))).json()) as {
        ticket: string;
      };
      expect(again.ticket).toBe(body.ticket);
      const jsapi = (await (await routes.readTicket(get("/api/internal/wechat/jsapi-ticket"))).json()) as {
        ticket: string;
      };
      expect(jsapi.ticket).not.toBe(body.ticket);
      const asked = sim.requests().filter((r) => r.path === "/cgi-bin/ticket/getticket");
      expect(asked.map((r) => r.query.type)).toEqual(["wx_card", "jsapi"]);
    });

    it("POST /refresh replaces the reported card ticket only while it is current; 401 and 400 like the others", async () => {
      const { ticket } = (await (await routes.readCardTicket(get("/api/internal/wechat/card-ticket"))).json()) as {
        ticket: string;
      };
      const refreshed = await routes.refreshCardTicket(post("/api/internal/wechat/card-ticket/refresh", { ticket }));
      expect(refreshed.status).toBe(200);
      const next = ((await refreshed.json()) as { ticket: string; version: number }).ticket;
      expect(next).not.toBe(ticket);
      expect(sim.tickets.currentTicket("wx_card")).toBe(next);
      const late = await routes.refreshCardTicket(post("/api/internal/wechat/card-ticket/refresh", { ticket }));
      expect(((await late.json()) as { ticket: string }).ticket).toBe(next);
      expect(sim.requests().filter((r) => r.query.type === "wx_card")).toHaveLength(2);
      expect(
        (await routes.refreshCardTicket(post("/api/internal/wechat/card-ticket/refresh", { ticket }, {}))).status,
      ).toBe(401);
      expect((await routes.readCardTicket(get("/api/internal/wechat/card-ticket", {}))).status).toBe(401);
      expect(
        (await routes.refreshCardTicket(post("/api/internal/wechat/card-ticket/refresh", { access_token: "x" })))
          .status,
      ).toBe(400);
    });
  });

  describe("GET /api/wechat/jssdk-config", () => {
    it("signs a page of our origin with the central ticket, as WeChat checks it", async () => {
      const page = `${APP_URL}/me?from=menu`;
      const res = await routes.jssdk(get(`/api/wechat/jssdk-config?url=${encodeURIComponent(`${page}#top`)}`, {}));
      expect(res.status).toBe(200);
      const config = (await res.json()) as { appId: string; timestamp: number; nonceStr: string; signature: string };
      expect(config.appId).toMatch(/^wx/);
      expect(Object.keys(config).sort()).toEqual(["appId", "nonceStr", "signature", "timestamp"]);
      expect(sim.tickets.verify({ url: page, ...config })).toBe(true);
      const ticket = sim.tickets.currentTicket() ?? "";
      const text = `jsapi_ticket=${ticket}&noncestr=${config.nonceStr}&timestamp=${config.timestamp}&url=${page}`;
      expect(config.signature).toBe(createHash("sha1").update(text).digest("hex"));
    });

    it.each(["https://evil.example.com/me", "http://localhost:3001/me", "", "javascript:alert(1)"])(
      "refuses %j with 400",
      async (url) => {
        const res = await routes.jssdk(get(`/api/wechat/jssdk-config?url=${encodeURIComponent(url)}`, {}));
        expect(res.status).toBe(400);
        expect(sim.requests()).toHaveLength(0);
      },
    );
  });

  describe("without INTERNAL_API_SECRET in production", () => {
    it("the internal API is off: 404 with a clear error", async () => {
      const off = await load(database(), {
        ...devEnv(),
        NODE_ENV: "production",
        INTERNAL_API_SECRET: undefined,
        WECHAT_APP_ID: "wx5e1f0c0de0000001",
        WECHAT_APP_SECRET: "simsecret0123456789abcdef01234567",
        SESSION_SECRET: "prod-like-session-secret-abcdefghijklmnopqrstuvwxyz",
        TOKEN_ENCRYPTION_KEY: "prod-like-token-key-ABCDEFGHIJKLMNOPQRSTUVWXYZ012",
        AUTH_SECRET: "prod-like-auth-secret-0123456789ABCDEFGHIJKLMNOP",
      });
      const res = await off.readToken(get("/api/internal/wechat/access-token"));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "internal_api_disabled" } });
    });
  });
});
