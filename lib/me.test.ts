// Web tokens at rest and in use: encrypted in the database, refreshed once when expired (even under
// concurrent requests), forgotten when dead, and a silent login never downgrades a userinfo grant.
// On SQLite and PostgreSQL.
import { describe, expect, it } from "vitest";
import { WeChatApiError } from "@/lib/wechat";
import { unseal } from "@/lib/crypto";
import { AppError, toAppError, type AppErrorCode } from "@/lib/errors";
import { getMe, refreshProfile, type MeView } from "@/lib/me";
import { forEachDatabase, dumpDatabase } from "@/test/support/db";
import { useLoginWorld, type LoginWorld } from "@/test/support/world";
import { callsTo, REFRESH, USERINFO } from "@/test/support/wechat-browser";

const TWO_HOURS = 7200;
const THIRTY_DAYS = 30 * 24 * 3600;

async function refusal(promise: Promise<unknown>, code: AppErrorCode): Promise<AppError> {
  const err = await promise.then(
    (value) => {
      throw new Error(`expected ${code}, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(toAppError(err).code).toBe(code);
  return toAppError(err);
}

async function identityOf(w: LoginWorld, userId: string) {
  return w.db.identity.findFirstOrThrow({ where: { userId } });
}

function expectTokensCleared(identity: Awaited<ReturnType<typeof identityOf>>) {
  expect(identity).toMatchObject({
    accessTokenEnc: null,
    refreshTokenEnc: null,
    accessTokenExpiresAt: null,
    refreshTokenExpiresAt: null,
    refreshLeaseUntil: null,
  });
}

forEachDatabase((_kind, database) => {
  describe("tokens at rest", () => {
    const world = useLoginWorld(database);

    it("stores the access and refresh tokens sealed: no column anywhere holds them in clear", async () => {
      const w = world();
      const userId = await w.login("snsapi_userinfo", "zhangsan");
      w.clock.advance(TWO_HOURS);
      await refreshProfile(w.deps, userId);
      // Two grants' worth: the exchange and the refresh (which returns the same refresh_token).
      expect(w.issuedTokens.size).toBeGreaterThanOrEqual(3);
      const dump = await dumpDatabase(w.db);
      for (const token of w.issuedTokens) expect(dump).not.toContain(token);

      const identity = await identityOf(w, userId);
      expect(identity.accessTokenEnc).toMatch(/^v1\./);
      expect(identity.refreshTokenEnc).toMatch(/^v1\./);
      // Sealed, not hashed: the server can still use them.
      expect(w.issuedTokens.has(unseal(identity.accessTokenEnc ?? "", w.deps.tokenKey))).toBe(true);
      expect(w.issuedTokens.has(unseal(identity.refreshTokenEnc ?? "", w.deps.tokenKey))).toBe(true);
      expect(identity.accessTokenExpiresAt).toEqual(new Date(w.clock.now().getTime() + TWO_HOURS * 1000));
    });
  });

  describe("refreshProfile", () => {
    const world = useLoginWorld(database);

    it("uses the stored token while it is valid", async () => {
      const w = world();
      const userId = await w.login("snsapi_userinfo", "zhangsan");
      w.clock.advance(TWO_HOURS - 61);
      const me = await refreshProfile(w.deps, userId);
      expect(me.nickname).toBe("张三");
      expect(callsTo(w.sim, REFRESH)).toHaveLength(0);
      expect(callsTo(w.sim, USERINFO)).toHaveLength(2);
    });

    it("after 7200 s refreshes once and returns the profile", async () => {
      const w = world();
      const userId = await w.login("snsapi_userinfo", "zhangsan");
      const before = await identityOf(w, userId);
      w.clock.advance(TWO_HOURS);
      const me = await refreshProfile(w.deps, userId);
      expect(me).toMatchObject({
        id: userId,
        nickname: "张三",
        scope: "snsapi_userinfo",
        unionid: w.sim.users[0]?.unionid,
      });
      expect(callsTo(w.sim, REFRESH)).toHaveLength(1);
      const after = await identityOf(w, userId);
      expect(after.tokenVersion).toBe(before.tokenVersion + 1);
      expect(after.accessTokenEnc).not.toBe(before.accessTokenEnc);
      // The refresh_token's 30 days are not extended by refreshing.
      expect(after.refreshTokenExpiresAt).toEqual(before.refreshTokenExpiresAt);
      // The new token is good for another two hours.
      await refreshProfile(w.deps, userId);
      expect(callsTo(w.sim, REFRESH)).toHaveLength(1);
    });

    it("10 concurrent refreshProfile calls after expiry make exactly one upstream refresh", async () => {
      const w = world();
      const userId = await w.login("snsapi_userinfo", "zhangsan");
      w.clock.advance(TWO_HOURS + 5);
      const results = await Promise.all(Array.from({ length: 10 }, () => refreshProfile(w.deps, userId)));
      expect(results.map((r: MeView) => r.nickname)).toEqual(Array(10).fill("张三"));
      expect(callsTo(w.sim, REFRESH)).toHaveLength(1);
      const identity = await identityOf(w, userId);
      expect(identity.refreshLeaseUntil).toBeNull();
      // Every profile call used the refreshed token (the expired one would get 42001).
      const tokens = new Set(
        callsTo(w.sim, USERINFO)
          .slice(1)
          .map((r) => r.query.access_token),
      );
      expect(tokens).toEqual(new Set([unseal(identity.accessTokenEnc ?? "", w.deps.tokenKey)]));
    });

    it("after 30 days asks to authorize again and forgets the tokens", async () => {
      const w = world();
      const userId = await w.login("snsapi_userinfo", "zhangsan");
      w.clock.advance(THIRTY_DAYS);
      await refusal(refreshProfile(w.deps, userId), "reauthorize");
      expectTokensCleared(await identityOf(w, userId));
      // Asking again does not go to WeChat with a dead token.
      await refusal(refreshProfile(w.deps, userId), "reauthorize");
      expect(callsTo(w.sim, REFRESH)).toHaveLength(0);
    });

    it("a refresh_token WeChat calls expired (42002) is forgotten", async () => {
      const w = world();
      const userId = await w.login("snsapi_userinfo", "zhangsan");
      w.clock.advance(TWO_HOURS);
      w.sim.failNext(REFRESH, { kind: "errcode", errcode: 42002 });
      const err = await refusal(refreshProfile(w.deps, userId), "reauthorize");
      expect(err.errcode).toBe(42002);
      expectTokensCleared(await identityOf(w, userId));
    });

    it("a busy refresh keeps the tokens and frees the lease for the next try", async () => {
      const w = world();
      const userId = await w.login("snsapi_userinfo", "zhangsan");
      w.clock.advance(TWO_HOURS);
      w.sim.failNext(REFRESH, { kind: "busy" }, 3);
      await refusal(refreshProfile(w.deps, userId), "wechat_busy");
      expect(callsTo(w.sim, REFRESH)).toHaveLength(3);
      const identity = await identityOf(w, userId);
      expect(identity.refreshTokenEnc).not.toBeNull();
      expect(identity.refreshLeaseUntil).toBeNull();
      expect((await refreshProfile(w.deps, userId)).nickname).toBe("张三");
    });

    it("a revoked authorization asks to authorize again", async () => {
      const w = world();
      const userId = await w.login("snsapi_userinfo", "zhangsan");
      w.sim.revoke(w.sim.users[0]?.openid ?? "");
      const err = await refusal(refreshProfile(w.deps, userId), "reauthorize");
      // userinfo said 40001 for the still-unexpired token; the forced refresh said 40030.
      expect(err.errcode).toBe(40030);
      expect(callsTo(w.sim, REFRESH)).toHaveLength(1);
      expectTokensCleared(await identityOf(w, userId));
    });

    it("a snsapi_base user needs userinfo, without asking WeChat", async () => {
      const w = world();
      const userId = await w.login("snsapi_base", "lisi");
      await refusal(refreshProfile(w.deps, userId), "need_userinfo");
      expect(callsTo(w.sim, USERINFO)).toHaveLength(0);
    });

    it("48001 from /sns/userinfo means need_userinfo", async () => {
      const w = world();
      const userId = await w.login("snsapi_userinfo", "zhangsan");
      w.sim.failNext(USERINFO, { kind: "errcode", errcode: 48001 });
      const err = await refreshProfile(w.deps, userId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WeChatApiError);
      expect(toAppError(err)).toMatchObject({ code: "need_userinfo", errcode: 48001, status: 401 });
    });

    it("a silent snsapi_base login after a userinfo grant keeps the userinfo token", async () => {
      const w = world();
      const userId = await w.login("snsapi_userinfo", "zhangsan");
      const granted = await identityOf(w, userId);
      w.clock.advance(600);
      expect(await w.login("snsapi_base", "zhangsan")).toBe(userId);
      const after = await identityOf(w, userId);
      expect(after.scope).toBe("snsapi_userinfo");
      expect(after.accessTokenEnc).toBe(granted.accessTokenEnc);
      expect(after.refreshTokenEnc).toBe(granted.refreshTokenEnc);
      const me = await refreshProfile(w.deps, userId);
      expect(me.nickname).toBe("张三");
      expect(callsTo(w.sim, USERINFO).at(-1)?.query.access_token).toBe(
        unseal(granted.accessTokenEnc ?? "", w.deps.tokenKey),
      );
    });

    it("needs a session", async () => {
      const w = world();
      await refusal(refreshProfile(w.deps, undefined), "unauthenticated");
      await refusal(getMe(w.deps, undefined), "unauthenticated");
      await refusal(getMe(w.deps, { userId: "no-such-user", sid: "", signedInAt: 0 }), "unauthenticated");
    });
  });
});
