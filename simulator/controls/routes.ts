/**
 * The simulator's own /__sim routes, for tests in another process (Playwright) and for a developer
 * with curl: health, users, recorded requests, scripted failures and outages, the clock, reset.
 * Never recorded and never failed. Each surface adds its own controls next to its routes.
 */
import { SimulatorInputError } from "../errors";
import { nginxError, reply } from "../http/reply";
import { control, route, type ControlInput, type Route } from "../http/router";
import { renderAvatarSvg } from "../oauth/pages";
import type { World } from "../world";
import type { Failure, Outage, SimHost } from "./failures";

const ok = { ok: true } as const;

/** `reset` clears the world and every surface. */
export function controlRoutes(world: World, reset: () => void): Route[] {
  return [
    control("GET", "/__sim/health", () => ok),
    control("GET", "/__sim/users", () => world.users()),
    control("GET", "/__sim/requests", () => world.requests()),
    control("POST", "/__sim/clear-requests", () => {
      world.clearRequests();
      return ok;
    }),
    control("POST", "/__sim/select-user", (input) => {
      world.selectUser(requireString(input, "key"));
      return ok;
    }),
    control("POST", "/__sim/fail-next", (input) => {
      const times = input.times;
      if (times !== undefined && typeof times !== "number") throw new SimulatorInputError("times must be a number");
      world.failNext(requireString(input, "path"), input.failure as Failure, times);
      return ok;
    }),
    control("POST", "/__sim/advance", (input) => {
      world.advance(input.seconds as number);
      return { ok: true, now: world.now() };
    }),
    control("POST", "/__sim/revoke", (input) => {
      world.revoke(requireString(input, "openid"));
      return ok;
    }),
    control("POST", "/__sim/outage", (input) => {
      world.setOutage(input.host as SimHost, (input.outage ?? null) as Outage | null);
      return ok;
    }),
    control("POST", "/__sim/reset", () => {
      reset();
      return ok;
    }),
    // The default fixtures' headimgurl.
    route("any", /^\/__sim\/avatar\/([^/]+)\.svg$/, (req) => {
      const user = world.userByKey(decodeURIComponent(req.params[0] ?? ""));
      if (!user || req.method !== "GET") return nginxError(404);
      return reply(200, "image/svg+xml; charset=utf-8", renderAvatarSvg(user), {
        "Cache-Control": "public, max-age=3600",
      });
    }),
  ];
}

function requireString(input: ControlInput, name: string): string {
  const value = input[name];
  if (typeof value !== "string" || value === "") throw new SimulatorInputError(`${name} must be a non-empty string`);
  return value;
}
