// The login state machine against the simulator: a state is checked (known, this browser's, fresh,
// unused) before any code exchange; replays and double callbacks exchange once; WeChat's failures end
// as bounded, token-free errors. On SQLite and PostgreSQL.
import { sha256 } from "@/lib/crypto";
import { inspect } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { SIM_DEFAULTS } from "@/simulator/server";
import { AppError, errorResponse, type AppErrorCode } from "@/lib/errors";
import { errorPagePath } from "@/lib/error-page";
import { completeLogin, loginPath, STATE_TTL_MS } from "@/lib/auth/login";
import { forEachDatabase } from "@/test/support/db";
import { useLoginWorld, type LoginWorld } from "@/test/support/world";
import { callsTo, EXCHANGE, USERINFO } from "@/test/support/wechat-browser";

async function refusal(promise: Promise<unknown>, code: AppErrorCode): Promise<AppError> {
  const err = await promise.then(
    (value) => {
      throw new Error(`expected ${code}, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

/**
 * Everything an error could leak through: message and cause chain, the error page path, the API
 * body, and the log lines an operator reads (logging is silent in tests; turned on here).
 */
async function everythingAbout(err: unknown): Promise<string> {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  const spies = [
    vi.spyOn(console, "error").mockImplementation(capture),
    vi.spyOn(console, "log").mockImplementation(capture),
  ];
  const previous = process.env.WCUC_LOG;
  delete process.env.WCUC_LOG;
  let page: string;
  let body: string;
  try {
    page = errorPagePath(err);
    body = await errorResponse(err).text();
  } finally {
    process.env.WCUC_LOG = previous;
    for (const spy of spies) spy.mockRestore();
  }
  expect(lines.length).toBeGreaterThan(0);
  return [inspect(err, { depth: 10, showHidden: true }), JSON.stringify(err), page, body, ...lines].join("\n");
}

function expectNoSecrets(text: string, w: LoginWorld, codes: (string | undefined)[]) {
  expect(text).not.toContain(SIM_DEFAULTS.appSecret);
  for (const token of w.issuedTokens) expect(text).not.toContain(token);
  for (const code of codes) if (code) expect(text).not.toContain(code);
}

forEachDatabase((_kind, database) => {
  describe("state checks", () => {
    const world = useLoginWorld(database);

    it("refuses an unknown or malformed state before exchanging the code", async () => {
      const w = world();
      const begun = await w.begin("snsapi_base");
      const callback = await w.authorize(begun);
      await refusal(w.complete(begun, { ...callback, state: "NoSuchState0000000000000000000000" }), "state_invalid");
      await refusal(w.complete(begun, { ...callback, state: "bad-state!" }), "state_invalid");
      await refusal(w.complete(begun, { ...callback, state: undefined }), "state_invalid");
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(0);
    });

    it("refuses a state bound to another browser before exchanging, and leaves it to its own browser", async () => {
      const w = world();
      const begun = await w.begin("snsapi_base");
      const callback = await w.authorize(begun);
      await refusal(w.complete(begun, callback, { binding: w.newBinding() }), "state_invalid");
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(0);
      // The attacker's attempt did not burn the victim's login.
      expect((await w.complete(begun, callback)).kind).toBe("signed_in");
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(1);
    });

    it("accepts a state until 10 minutes and refuses it from then on, without exchanging", async () => {
      const w = world();
      const fresh = await w.begin("snsapi_base");
      const late = await w.begin("snsapi_base");
      w.clock.advance(STATE_TTL_MS / 1000 - 1);
      expect((await w.complete(fresh, await w.authorize(fresh))).kind).toBe("signed_in");
      w.clock.advance(1);
      await refusal(w.complete(late, await w.authorize(late)), "state_expired");
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(1);
    });

    it("refuses a used state that comes back with another code", async () => {
      const w = world();
      const begun = await w.begin("snsapi_base");
      expect((await w.complete(begun, await w.authorize(begun))).kind).toBe("signed_in");
      // Same authorize link opened again: WeChat mints a new code for the same state.
      const second = await w.authorize(begun);
      await refusal(w.complete(begun, second), "state_invalid");
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(1);
    });

    it("answers a replay of the same code after success with the same user and no second exchange", async () => {
      const w = world();
      const begun = await w.begin("snsapi_userinfo", { returnTo: "/me?tab=1" });
      const callback = await w.authorize(begun, { user: "zhangsan" });
      const first = await w.complete(begun, callback);
      if (first.kind !== "signed_in") throw new Error(first.kind);
      // A refresh of the callback page, signed in by then, and one whose session cookie was lost.
      const withSession = await w.complete(begun, callback, { sessionUserId: first.userId });
      const withoutSession = await w.complete(begun, callback);
      for (const again of [withSession, withoutSession]) {
        expect(again).toEqual({ kind: "signed_in", userId: first.userId, returnTo: "/me?tab=1" });
      }
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(1);
      expect(callsTo(w.sim, USERINFO)).toHaveLength(1);
      expect(await w.db.loginEvent.count()).toBe(1);
    });

    it("two concurrent callbacks with the same code sign in the same user with one exchange", async () => {
      const w = world();
      const begun = await w.begin("snsapi_userinfo");
      const callback = await w.authorize(begun, { user: "emoji" });
      w.holdExchangeUntilPolled();
      const [a, b] = await Promise.all([w.complete(begun, callback), w.complete(begun, callback)]);
      expect(a?.kind).toBe("signed_in");
      expect(b).toEqual(a);
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(1);
      expect(await w.db.user.count()).toBe(1);
      // The loser polled while the winner exchanged.
      expect(w.sleep.delays.length).toBeGreaterThan(0);
    });

    it("restarts once, as attempt 2, when WeChat's browser lost the binding cookie; refuses a second loss", async () => {
      const w = world();
      const begun = await w.begin("snsapi_base", { returnTo: "/me" });
      const callback = await w.authorize(begun);
      const outcome = await w.complete(begun, callback, { binding: undefined });
      expect(outcome).toEqual({ kind: "restart", location: loginPath("snsapi_base", "/me", 2) });
      expect(outcome.kind === "restart" && outcome.location).toBe(
        "/api/auth/wechat/login?scope=snsapi_base&returnTo=%2Fme&attempt=2",
      );
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(0);
      // The abandoned state is spent, even for the browser that had the cookie.
      await refusal(w.complete(begun, callback), "state_invalid");

      const retry = await w.begin("snsapi_base", { returnTo: "/me", attempt: 2 });
      await refusal(w.complete(retry, await w.authorize(retry), { binding: undefined }), "state_invalid");
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(0);
      expect(await w.db.user.count()).toBe(0);
    });

    it("consent denied: consent_denied, or back to returnTo for someone already signed in", async () => {
      const w = world();
      const signedOut = await w.begin("snsapi_userinfo", { returnTo: "/me" });
      await refusal(w.complete(signedOut, await w.authorize(signedOut, { deny: true })), "consent_denied");

      const userId = await w.login("snsapi_base", "zhangsan");
      const signedIn = await w.begin("snsapi_userinfo", { returnTo: "/me?tab=1" });
      const denied = await w.authorize(signedIn, { deny: true });
      expect(denied.code).toBeUndefined();
      expect(await w.complete(signedIn, denied, { sessionUserId: userId })).toEqual({
        kind: "declined",
        returnTo: "/me?tab=1",
      });
      // Only the base login exchanged a code.
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(1);
      expect((await w.db.user.findUniqueOrThrow({ where: { id: userId } })).scope).toBe("snsapi_base");
    });

    it("refuses a snapshot-page user and stores nothing", async () => {
      const w = world();
      for (const scope of ["snsapi_base", "snsapi_userinfo"] as const) {
        const begun = await w.begin(scope);
        const err = await refusal(w.complete(begun, await w.authorize(begun, { user: "snapshot" })), "snapshot_user");
        expect(errorPagePath(err)).toBe("/auth/snapshot");
      }
      expect(await w.db.user.count()).toBe(0);
      expect(await w.db.identity.count()).toBe(0);
      expect(await w.db.loginEvent.count()).toBe(0);
      expect((await w.db.loginState.findMany()).map((s) => [s.status, s.error])).toEqual([
        ["failed", "snapshot_user"],
        ["failed", "snapshot_user"],
      ]);
    });

    it("credits snapshot visits to the person the same browser later logs in as, and only to them", async () => {
      const w = world();
      const browser = w.newBinding();
      for (let i = 0; i < 2; i++) {
        const begun = await w.begin("snsapi_base", { binding: browser });
        await refusal(w.complete(begun, await w.authorize(begun, { user: "snapshot" })), "snapshot_user");
      }
      const other = w.newBinding();
      const elsewhere = await w.begin("snsapi_base", { binding: other });
      await refusal(w.complete(elsewhere, await w.authorize(elsewhere, { user: "snapshot" })), "snapshot_user");
      const mine = { bindingHash: sha256(browser) };
      expect(await w.db.snapshotAttempt.count({ where: { ...mine, userId: null } })).toBe(2);

      const begun = await w.begin("snsapi_base", { binding: browser });
      const outcome = await w.complete(begun, await w.authorize(begun, { user: "zhangsan" }));
      expect(outcome.kind).toBe("signed_in");
      const userId = outcome.kind === "signed_in" ? outcome.userId : "";
      expect((await w.db.user.findUniqueOrThrow({ where: { id: userId } })).snapshotAttempts).toBe(2);
      expect(await w.db.snapshotAttempt.count({ where: { ...mine, userId } })).toBe(2);
      // The other browser's visit stays unattributed.
      expect(await w.db.snapshotAttempt.count({ where: { bindingHash: sha256(other), userId: null } })).toBe(1);
    });
  });

  describe("WeChat failures", () => {
    const world = useLoginWorld(database);

    it("retries a busy /sns/userinfo and signs in", async () => {
      const w = world();
      w.sim.failNext(USERINFO, { kind: "busy" });
      const id = await w.login("snsapi_userinfo", "zhangsan");
      expect((await w.db.user.findUniqueOrThrow({ where: { id } })).nickname).toBe("张三");
      expect(callsTo(w.sim, USERINFO)).toHaveLength(2);
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(1);
    });

    it("a hanging code exchange ends as a bounded wechat_busy, exchanged once, with nothing leaked", async () => {
      const w = world();
      const deps = w.makeDeps({ timeoutMs: 200 });
      const begun = await w.begin("snsapi_base");
      const callback = await w.authorize(begun);
      w.sim.failNext(EXCHANGE, { kind: "timeout" });
      const startedAt = performance.now();
      const err = await refusal(
        completeLogin(deps, {
          ...callback,
          binding: begun.binding,
          sessionUserId: undefined,
          userAgent: null,
          ip: null,
        }),
        "wechat_busy",
      );
      expect(performance.now() - startedAt).toBeLessThan(3000);
      // Never retried: the code is single-use.
      expect(callsTo(w.sim, EXCHANGE)).toHaveLength(1);
      expect(await w.db.loginState.findUniqueOrThrow({ where: { state: begun.state } })).toMatchObject({
        status: "failed",
        error: "wechat_busy",
      });
      expect(errorPagePath(err)).toBe("/auth/error?code=wechat_busy");
      expectNoSecrets(await everythingAbout(err), w, [callback.code]);
    });

    it("a code WeChat already saw used (40163) ends on the reauthorize error page", async () => {
      const w = world();
      const first = await w.begin("snsapi_base");
      const callback = await w.authorize(first);
      expect((await w.complete(first, callback)).kind).toBe("signed_in");
      // The same code arriving on a new login: WeChat refuses the second exchange.
      const second = await w.begin("snsapi_base");
      const err = await refusal(w.complete(second, { ...callback, state: second.state }), "reauthorize");
      expect(err.errcode).toBe(40163);
      expect(errorPagePath(err)).toBe("/auth/error?code=reauthorize&errcode=40163");
      expectNoSecrets(await everythingAbout(err), w, [callback.code]);
    });

    it("an expired code (40029) ends on the reauthorize error page", async () => {
      const w = world();
      const begun = await w.begin("snsapi_base");
      const callback = await w.authorize(begun);
      w.clock.advance(300); // codes live 5 minutes; the state lives 10
      const err = await refusal(w.complete(begun, callback), "reauthorize");
      expect(err.errcode).toBe(40029);
      expect(errorPagePath(err)).toBe("/auth/error?code=reauthorize&errcode=40029");
      expect(await w.db.user.count()).toBe(0);
      expectNoSecrets(await everythingAbout(err), w, [callback.code]);
    });

    it("a wrong secret is a configuration error that names neither the secret nor the code", async () => {
      const w = world();
      const begun = await w.begin("snsapi_base");
      const callback = await w.authorize(begun);
      w.sim.failNext(EXCHANGE, { kind: "errcode", errcode: 40125 });
      const err = await refusal(w.complete(begun, callback), "wechat_config");
      expect(err.status).toBe(500);
      const exchange = callsTo(w.sim, EXCHANGE)[0];
      expect(exchange?.query).toMatchObject({
        appid: SIM_DEFAULTS.appId,
        secret: SIM_DEFAULTS.appSecret,
        code: callback.code,
      });
      expectNoSecrets(await everythingAbout(err), w, [callback.code]);
    });
  });
});
