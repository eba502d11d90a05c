// Route-level tests call the App Router handlers with Request objects, no server. The handlers read
// process.env once through env() and keep their deps in lib/services.ts's module scope and the Prisma client
// on globalThis.wcucDb, so each configuration gets freshly imported modules with its env set first.
import { afterAll, beforeAll, beforeEach, vi } from "vitest";
import type { OAuthScope } from "@/lib/wechat";
import { startSimulator, type Simulator } from "@/simulator/server";
import { clearDatabase, type TestDatabase } from "./db";
import { CookieJar, makeRequest } from "./cookies";
import { authorizeAtSimulator, WECHAT_UA } from "./wechat-browser";
import { START_TIME } from "./world";

export const APP_URL = "http://localhost:3000";

export interface AppRoutes {
  readonly appUrl: string;
  login(request: Request): Promise<Response>;
  callback(request: Request): Promise<Response>;
  me(request: Request): Promise<Response>;
  refreshProfile(request: Request): Promise<Response>;
  logout(request: Request): Promise<Response>;
  logoutEverywhere(request: Request): Promise<Response>;
}

export interface AppEnv {
  APP_URL?: string;
  WECHAT_BROWSER_ONLY?: string;
  TRUST_PROXY_HOPS?: string;
  LOGIN_STARTS_PER_MINUTE_PER_ADDRESS?: string;
  LOGIN_STARTS_PER_SECOND?: string;
}

const ENV_KEYS = [
  "DATABASE_URL",
  "WECHAT_OAUTH_BASE",
  "WECHAT_API_BASE",
  "APP_URL",
  "WECHAT_BROWSER_ONLY",
  "TRUST_PROXY_HOPS",
  "LOGIN_STARTS_PER_MINUTE_PER_ADDRESS",
  "LOGIN_STARTS_PER_SECOND",
] as const;

type AppGlobals = { wcucDb?: unknown };

/**
 * Imports the route modules afresh for `database` and `sim`. The test's Prisma client stands in for
 * the app's (so no second pool is left open); the deps are rebuilt from the new env.
 */
export async function loadApp(database: TestDatabase, sim: Simulator, env: AppEnv = {}): Promise<AppRoutes> {
  const values: Record<(typeof ENV_KEYS)[number], string | undefined> = {
    DATABASE_URL: database.url,
    WECHAT_OAUTH_BASE: sim.url,
    WECHAT_API_BASE: sim.url,
    APP_URL: env.APP_URL ?? APP_URL,
    WECHAT_BROWSER_ONLY: env.WECHAT_BROWSER_ONLY,
    TRUST_PROXY_HOPS: env.TRUST_PROXY_HOPS,
    LOGIN_STARTS_PER_MINUTE_PER_ADDRESS: env.LOGIN_STARTS_PER_MINUTE_PER_ADDRESS,
    LOGIN_STARTS_PER_SECOND: env.LOGIN_STARTS_PER_SECOND,
  };
  for (const key of ENV_KEYS) {
    const value = values[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  vi.resetModules();
  (globalThis as AppGlobals).wcucDb = database.db;
  const [login, callback, me, refresh, logout, everywhere] = await Promise.all([
    import("@/app/api/auth/wechat/login/route"),
    import("@/app/api/auth/wechat/callback/route"),
    import("@/app/api/me/route"),
    import("@/app/api/me/profile/refresh/route"),
    import("@/app/api/auth/logout/route"),
    import("@/app/api/auth/logout/everywhere/route"),
  ]);
  return {
    appUrl: values.APP_URL ?? APP_URL,
    login: login.GET,
    callback: callback.GET,
    me: me.GET,
    refreshProfile: refresh.POST,
    logout: logout.POST,
    logoutEverywhere: everywhere.POST,
  };
}

export interface RouteWorld {
  readonly db: TestDatabase["db"];
  readonly database: TestDatabase;
  readonly sim: Simulator;
  readonly app: AppRoutes;
  /** Re-imports the routes with another env (e.g. APP_URL on https); restored before the next test. */
  reload(env: AppEnv): Promise<AppRoutes>;
}

/** A simulator and the routes for the enclosing describe's database; each test starts empty. */
export function useRouteWorld(database: () => TestDatabase): () => RouteWorld {
  let world: { -readonly [K in keyof RouteWorld]: RouteWorld[K] } | undefined;
  let reloaded = false;

  beforeAll(async () => {
    const sim = await startSimulator({ startTime: START_TIME });
    const db = database();
    const app = await loadApp(db, sim);
    world = {
      db: db.db,
      database: db,
      sim,
      app,
      async reload(env) {
        reloaded = true;
        world!.app = await loadApp(db, sim, env);
        return world!.app;
      },
    };
  });

  beforeEach(async () => {
    if (!world) return;
    if (reloaded) {
      reloaded = false;
      world.app = await loadApp(world.database, world.sim);
    }
    world.sim.reset();
    await clearDatabase(world.db);
  });

  afterAll(async () => {
    await world?.sim.close();
    delete (globalThis as AppGlobals).wcucDb;
  });

  return () => {
    if (!world) throw new Error("the route world is not ready");
    return world;
  };
}

export interface BrowserLogin {
  /** the login route's answer (302 to WeChat) */
  readonly started: Response;
  /** the callback's answer */
  readonly finished: Response;
}

/**
 * A WeChat browser's whole login through the routes: GET the login route, follow its link at the
 * simulator, GET the callback, with `jar` carrying the cookies.
 */
export async function browserLogin(
  world: RouteWorld,
  jar: CookieJar,
  options: { scope?: OAuthScope; returnTo?: string; user?: string; deny?: boolean; userAgent?: string } = {},
): Promise<BrowserLogin> {
  const { app, sim } = world;
  const query = new URLSearchParams({ scope: options.scope ?? "snsapi_base" });
  if (options.returnTo !== undefined) query.set("returnTo", options.returnTo);
  const headers = { "user-agent": options.userAgent ?? WECHAT_UA };
  const started = await app.login(makeRequest(`${app.appUrl}/api/auth/wechat/login?${query}`, { jar, headers }));
  jar.store(started);
  const location = started.headers.get("location");
  if (started.status !== 302 || !location) throw new Error(`login answered ${started.status} ${location}`);
  const callback = await authorizeAtSimulator(sim, location, { user: options.user, deny: options.deny });
  const finished = await app.callback(makeRequest(callback.url, { jar, headers }));
  jar.store(finished);
  return { started, finished };
}
