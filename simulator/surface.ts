/**
 * The seam the simulator grows through: each WeChat surface (web authorization, the basic
 * access_token, followers and tags, message push, ...) brings its own state, its upstream routes and
 * its /__sim controls. server.ts creates them in order and hands their routes to the router; a surface
 * sees the rest of the simulator only through what it is given (the world, or SimCore).
 */
import type { Route } from "./http/router";
import type { TestUser } from "./users";

export interface SimCore {
  readonly appId: string;
  readonly appSecret: string;
  /** Simulator clock, ms epoch. */
  now(): number;
  /** The simulator's own origin, e.g. http://127.0.0.1:4010 (set once it listens). */
  url(): string;
  users(): readonly TestUser[];
}

export interface Surface {
  /** WeChat's routes (recorded, subject to outages and scripted failures). */
  readonly routes?: readonly Route[];
  /** /__sim routes (not recorded). */
  readonly controls?: readonly Route[];
  /** Called by the simulator's reset(): back to the state right after start. */
  reset?(): void;
  /** Called by close(). */
  close?(): Promise<void> | void;
}

/** Parse a POST body as a JSON object, or undefined (the caller answers 47001 as WeChat does). */
export function parseJsonBody(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
