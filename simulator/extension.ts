/**
 * The seam the simulator grows through: each part of WeChat beyond web authorization (the basic
 * access_token, followers and tags, message push) is one extension with its own state, its own
 * upstream routes and its own /__sim controls. server.ts creates them in order and dispatches to them;
 * an extension sees the simulator only through SimCore.
 */
import type { ApiBody } from "./api";
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

export interface UpstreamRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  /** The body as text; WeChat's POST APIs take JSON. */
  readonly body: string;
}

/** An api.weixin.qq.com route: every outcome is a JSON body sent as text/plain with HTTP 200. */
export type UpstreamRoute = (req: UpstreamRequest) => ApiBody;

export type ControlInput = Record<string, unknown>;

export interface ExtensionControl {
  readonly method: "GET" | "POST";
  /** Throw SimulatorInputError (server.ts) for bad input: the control answers 400. */
  run(input: ControlInput, query: URLSearchParams): unknown;
}

export interface SimExtension {
  /** Upstream routes by exact path, e.g. "/cgi-bin/token". */
  readonly routes?: Readonly<Record<string, UpstreamRoute>>;
  /** Control routes by exact path, e.g. "/__sim/followers". */
  readonly controls?: Readonly<Record<string, ExtensionControl>>;
  /** Called by the simulator's reset(): back to the state right after start. */
  reset?(): void;
  /** Called by close(). */
  close?(): Promise<void> | void;
}

/** Parse a POST body as a JSON object, or answer as WeChat does (40002-like "invalid json"). */
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
