// Library-level test world: a test database, the in-process simulator, one clock shared by the app's
// deps and the simulator, and AuthDeps wired to all three. No network beyond 127.0.0.1, no waiting.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { WeChatOAuth, type OAuthScope } from "@/lib/wechat";
import { parseEnv } from "@/lib/env";
import type { Db } from "@/lib/db";
import { createAuthDeps, type AuthDeps } from "@/lib/auth/deps";
import { completeLogin, startLogin, type CompleteLogin, type LoginOutcome } from "@/lib/auth/login";
import { SIM_DEFAULTS, startSimulator, type Simulator, type TestUser } from "@/simulator/server";
import { clearDatabase, type TestDatabase } from "./db";
import { authorizeAtSimulator, type AuthorizeAs, type CallbackTarget } from "./wechat-browser";

export const START_TIME = Date.UTC(2026, 0, 15, 8, 0, 0);
export const APP_URL = "http://localhost:3000";
export const TEST_UA = "Mozilla/5.0 (iPhone) MicroMessenger/8.0.49";

/** One clock for the app and the simulator: advancing it moves both, so lifetimes agree. */
export class TestClock {
  #ms = START_TIME;
  constructor(private readonly sim: Simulator) {}
  readonly now = (): Date => new Date(this.#ms);
  advance(seconds: number): void {
    this.#ms += seconds * 1000;
    this.sim.advance(seconds);
  }
  reset(): void {
    this.#ms = START_TIME;
  }
}

/**
 * The deps' sleep is only used by polling loops (a replayed callback waiting for the first, a token
 * refresh waiting for its leaseholder), whose give-up point counts the requested delays. Waiting a
 * tenth of each (at most 5 ms) keeps tests fast while the other request's I/O still gets real time
 * to finish, so a busy machine cannot make a waiter give up early; `delays` shows what was asked.
 */
export function scaledSleep(): ((ms: number) => Promise<void>) & {
  readonly delays: number[];
  /** Resolves at the next call (a poller has started waiting). */
  nextCall(): Promise<void>;
} {
  const delays: number[] = [];
  let waiters: Array<() => void> = [];
  const fn = (ms: number) => {
    delays.push(ms);
    for (const wake of waiters) wake();
    waiters = [];
    return new Promise<void>((resolve) => setTimeout(resolve, Math.min(5, Math.ceil(ms / 10))));
  };
  const nextCall = () => new Promise<void>((resolve) => waiters.push(resolve));
  return Object.assign(fn, { delays, nextCall });
}

export interface IssuedTokens {
  /** every access_token and refresh_token the simulator handed out, as it sent them */
  readonly all: Set<string>;
}

/** A fetch that notes every token WeChat's token endpoints return, for "never stored in clear" checks. */
function tokenTap(issued: Set<string>, gate: { exchange?: Promise<void> }): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (gate.exchange && url.pathname === "/sns/oauth2/access_token") {
      const held = gate.exchange;
      gate.exchange = undefined;
      await held;
    }
    const response = await fetch(input, init);
    if (url.pathname.startsWith("/sns/oauth2/")) {
      const body = (await response
        .clone()
        .json()
        .catch(() => ({}))) as Record<string, unknown>;
      for (const key of ["access_token", "refresh_token"]) {
        const value = body[key];
        if (typeof value === "string") issued.add(value);
      }
    }
    return response;
  };
}

export interface DepsOptions {
  timeoutMs?: number;
  retries?: number;
}

export interface Begun {
  readonly state: string;
  readonly binding: string;
  readonly location: string;
}

export interface LoginWorld {
  readonly db: Db;
  readonly sim: Simulator;
  readonly clock: TestClock;
  readonly deps: AuthDeps;
  readonly sleep: ReturnType<typeof scaledSleep>;
  readonly issuedTokens: Set<string>;
  /** Other deps on the same database, simulator and clock (e.g. with a short timeout). */
  makeDeps(options?: DepsOptions): AuthDeps;
  newBinding(): string;
  /** startLogin, returning the state the authorize link carries. */
  begin(scope: OAuthScope, options?: { returnTo?: string; binding?: string; attempt?: number }): Promise<Begun>;
  authorize(begun: Begun, as?: AuthorizeAs): Promise<CallbackTarget>;
  /** completeLogin with the browser's binding unless overridden. */
  complete(begun: Begun, callback: CallbackTarget, input?: Partial<CompleteLogin>): Promise<LoginOutcome>;
  /**
   * Holds the next code exchange until a concurrent callback starts polling (at most 5 s), so that a
   * test of the loser's wait does not depend on which request the machine happens to run first.
   */
  holdExchangeUntilPolled(): void;
  /** The whole round trip; returns the signed-in user's id. */
  login(scope: OAuthScope, user: string, input?: Partial<CompleteLogin>): Promise<string>;
}

/** Sets up a LoginWorld for the enclosing describe; each test starts with empty tables and a reset simulator. */
export function useLoginWorld(database: () => TestDatabase, options: { users?: TestUser[] } = {}): () => LoginWorld {
  let world: LoginWorld | undefined;
  let sim: Simulator | undefined;

  beforeAll(async () => {
    const simulator = await startSimulator({ startTime: START_TIME, users: options.users });
    sim = simulator;
    const { db, url } = database();
    const clock = new TestClock(simulator);
    const sleep = scaledSleep();
    const issued = new Set<string>();
    const gate: { exchange?: Promise<void> } = {};
    const env = parseEnv(
      { APP_URL, DATABASE_URL: url, WECHAT_OAUTH_BASE: simulator.url, WECHAT_API_BASE: simulator.url },
      false,
    );
    const makeDeps = (options: DepsOptions = {}): AuthDeps =>
      createAuthDeps(env, db, {
        oauth: new WeChatOAuth(
          {
            appId: SIM_DEFAULTS.appId,
            appSecret: SIM_DEFAULTS.appSecret,
            oauthBase: simulator.url,
            apiBase: simulator.url,
          },
          // Retries back off through an instant sleep: a retried call costs no wall time.
          {
            timeoutMs: options.timeoutMs ?? 5000,
            retries: options.retries ?? 2,
            sleep: async () => {},
            fetch: tokenTap(issued, gate),
          },
        ),
        now: clock.now,
        sleep,
      });
    const deps = makeDeps();
    const newBinding = () => randomBytes(32).toString("base64url");

    const begin: LoginWorld["begin"] = async (scope, options = {}) => {
      const binding = options.binding ?? newBinding();
      const started = await startLogin(deps, {
        scope,
        returnTo: options.returnTo,
        binding,
        attempt: options.attempt,
        userAgent: TEST_UA,
        ip: null,
        weChatBrowserOnly: false,
      });
      if (started.kind !== "authorize") throw new Error(`expected an authorize link, got ${started.kind}`);
      const state = new URL(started.location).searchParams.get("state");
      if (!state) throw new Error(`no state in ${started.location}`);
      return { state, binding: started.binding, location: started.location };
    };
    const authorize: LoginWorld["authorize"] = (begun, as) => authorizeAtSimulator(simulator, begun.location, as);
    const complete: LoginWorld["complete"] = (begun, callback, input = {}) =>
      completeLogin(deps, {
        code: callback.code,
        state: callback.state,
        binding: begun.binding,
        sessionUserId: undefined,
        userAgent: TEST_UA,
        ip: "203.0.113.7",
        ...input,
      });

    world = {
      db,
      sim: simulator,
      clock,
      deps,
      sleep,
      issuedTokens: issued,
      makeDeps,
      newBinding,
      begin,
      authorize,
      complete,
      holdExchangeUntilPolled() {
        gate.exchange = Promise.race([sleep.nextCall(), new Promise<void>((r) => setTimeout(r, 5000).unref())]);
      },
      async login(scope, user, input) {
        const begun = await begin(scope);
        const outcome = await complete(begun, await authorize(begun, { user }), input);
        if (outcome.kind !== "signed_in") throw new Error(`expected signed_in, got ${outcome.kind}`);
        return outcome.userId;
      },
    };
  });

  beforeEach(async () => {
    if (!world || !sim) return;
    sim.reset();
    world.clock.reset();
    world.sleep.delays.length = 0;
    world.issuedTokens.clear();
    await clearDatabase(world.db);
  });

  afterAll(async () => {
    await sim?.close();
  });

  return () => {
    if (!world) throw new Error("the login world is not ready");
    return world;
  };
}
