// Who gets stored after a login: profile by scope, the base → userinfo upgrade, people found and
// merged by unionid across apps, and concurrent first logins. On SQLite and PostgreSQL.
import { describe, expect, it } from "vitest";
import { SIM_DEFAULTS, type TestUser } from "@/simulator/server";
import { forEachDatabase } from "@/test/support/db";
import { useLoginWorld, type LoginWorld } from "@/test/support/world";
import { callsTo, USERINFO } from "@/test/support/wechat-browser";

/** The PC website's appid (an Open Platform "website app", a different appid of the same account). */
const PC_APPID = "wxpcweb00000000001";

function fixture(w: LoginWorld, key: string): TestUser {
  const user = w.sim.users.find((u) => u.key === key);
  if (!user) throw new Error(`no simulator user ${key}`);
  return user;
}

async function userWithIdentities(w: LoginWorld, id: string) {
  return w.db.user.findUniqueOrThrow({ where: { id }, include: { identities: true, logins: true } });
}

function utf8(text: string | null): string {
  return Buffer.from(text ?? "<null>", "utf8").toString("hex");
}

/** A crowd of distinct simulator users for the concurrency test. */
function crowd(n: number): TestUser[] {
  return Array.from({ length: n }, (_, i) => {
    const id = String(i).padStart(2, "0");
    return {
      key: `crowd${id}`,
      openid: `oCrowd${id}`.padEnd(28, "x"),
      unionid: `uCrowd${id}`.padEnd(28, "y"),
      nickname: `路人${id}`,
      sex: 0,
      province: "",
      city: "",
      country: "",
      headimgurl: "",
    } satisfies TestUser;
  });
}

forEachDatabase((kind, database) => {
  describe("profile storage by scope", () => {
    const world = useLoginWorld(database);

    it("snsapi_base stores the openid and nothing of the profile", async () => {
      const w = world();
      const id = await w.login("snsapi_base", "zhangsan");
      const user = await userWithIdentities(w, id);
      expect(user).toMatchObject({
        unionid: null,
        nickname: null,
        headimgurl: null,
        sex: null,
        province: null,
        city: null,
        country: null,
        scope: "snsapi_base",
        userinfoAt: null,
      });
      expect(user.identities).toEqual([
        expect.objectContaining({
          appid: SIM_DEFAULTS.appId,
          openid: fixture(w, "zhangsan").openid,
          scope: "snsapi_base",
        }),
      ]);
      expect(user.logins).toEqual([expect.objectContaining({ scope: "snsapi_base", ip: "203.0.113.7" })]);
      expect(callsTo(w.sim, USERINFO)).toHaveLength(0);
    });

    it("snsapi_userinfo stores the profile and the unionid", async () => {
      const w = world();
      const zhangsan = fixture(w, "zhangsan");
      const user = await userWithIdentities(w, await w.login("snsapi_userinfo", "zhangsan"));
      expect(user).toMatchObject({
        unionid: zhangsan.unionid,
        nickname: "张三",
        sex: 1,
        province: "广东",
        city: "深圳",
        country: "中国",
        headimgurl: zhangsan.headimgurl,
        scope: "snsapi_userinfo",
        userinfoAt: w.clock.now(),
      });
      expect(user.identities).toEqual([expect.objectContaining({ openid: zhangsan.openid, scope: "snsapi_userinfo" })]);
    });

    it.each(["emoji", "rare"])("keeps the %s nickname byte for byte", async (key) => {
      const w = world();
      const expected = fixture(w, key);
      const user = await userWithIdentities(w, await w.login("snsapi_userinfo", key));
      expect(utf8(user.nickname)).toBe(utf8(expected.nickname));
      expect(user.nickname).toBe(expected.nickname);
      // "rare" has an empty region: stored as the empty strings WeChat sent, not invented.
      expect([user.province, user.city, user.country]).toEqual([expected.province, expected.city, expected.country]);
    });

    it("keeps an empty avatar empty", async () => {
      const w = world();
      const user = await userWithIdentities(w, await w.login("snsapi_userinfo", "noavatar"));
      expect(fixture(w, "noavatar").headimgurl).toBe("");
      expect(user.headimgurl).toBe("");
      expect(user.nickname).toBe("无头像用户");
    });

    it("stores a unionid only when WeChat gives one", async () => {
      const w = world();
      const lisi = await userWithIdentities(w, await w.login("snsapi_userinfo", "lisi"));
      expect(lisi.unionid).toBeNull();
      expect(lisi.nickname).toBe("李四");
      // zhangsan has a unionid, but snsapi_base never carries it.
      const zhangsan = await userWithIdentities(w, await w.login("snsapi_base", "zhangsan"));
      expect(zhangsan.unionid).toBeNull();
    });
  });

  describe("base then userinfo (upgrade)", () => {
    const world = useLoginWorld(database);

    it("keeps one User and one Identity and widens the scope", async () => {
      const w = world();
      const first = await w.login("snsapi_base", "zhangsan");
      w.clock.advance(60);
      const second = await w.login("snsapi_userinfo", "zhangsan");
      expect(second).toBe(first);
      expect(await w.db.user.count()).toBe(1);
      expect(await w.db.identity.count()).toBe(1);
      const user = await userWithIdentities(w, first);
      expect(user.scope).toBe("snsapi_userinfo");
      expect(user.identities[0]?.scope).toBe("snsapi_userinfo");
      expect(user.nickname).toBe("张三");
      expect(user.unionid).toBe(fixture(w, "zhangsan").unionid);
      expect(user.userinfoAt).toEqual(w.clock.now());
      expect(user.lastLoginAt).toEqual(w.clock.now());
      expect(user.logins.map((l) => l.scope).sort()).toEqual(["snsapi_base", "snsapi_userinfo"]);
    });

    it("a later snsapi_base login does not narrow the scope or erase the profile", async () => {
      const w = world();
      const id = await w.login("snsapi_userinfo", "zhangsan");
      await w.login("snsapi_base", "zhangsan");
      const user = await userWithIdentities(w, id);
      expect(user.scope).toBe("snsapi_userinfo");
      expect(user.identities[0]?.scope).toBe("snsapi_userinfo");
      expect(user.nickname).toBe("张三");
      expect(user.unionid).toBe(fixture(w, "zhangsan").unionid);
    });
  });

  describe("unionid across apps", () => {
    const world = useLoginWorld(database);

    /** A person known only through the PC website (another appid of the same Open Platform account). */
    async function pcWebsitePerson(w: LoginWorld, unionid: string) {
      return w.db.user.create({
        data: {
          unionid,
          nickname: "PC 张三",
          scope: "snsapi_userinfo",
          createdAt: new Date(Date.UTC(2025, 5, 1)),
          lastLoginAt: new Date(Date.UTC(2025, 5, 1)),
          identities: { create: { appid: PC_APPID, openid: "oPcWebsiteOpenid00000000000A", scope: "snsapi_login" } },
        },
      });
    }

    it("an H5 userinfo login giving a known unionid joins that person", async () => {
      const w = world();
      const unionid = fixture(w, "zhangsan").unionid ?? "";
      const pc = await pcWebsitePerson(w, unionid);
      const id = await w.login("snsapi_userinfo", "zhangsan");
      expect(id).toBe(pc.id);
      expect(await w.db.user.count()).toBe(1);
      const user = await userWithIdentities(w, id);
      expect(user.identities.map((i) => i.appid).sort()).toEqual([SIM_DEFAULTS.appId, PC_APPID].sort());
      // The H5 profile is the fresher one.
      expect(user.nickname).toBe("张三");
      expect(user.createdAt).toEqual(pc.createdAt);
    });

    it("a base-only person who later shows the unionid another person holds is merged into that person", async () => {
      const w = world();
      const zhangsan = fixture(w, "zhangsan");
      const pc = await pcWebsitePerson(w, zhangsan.unionid ?? "");
      const baseOnly = await w.login("snsapi_base", "zhangsan");
      expect(baseOnly).not.toBe(pc.id);
      expect(await w.db.user.count()).toBe(2);
      // An order made for the base-only person (the pay API takes a user id) stays theirs after the merge.
      const order = await w.db.payOrder.create({
        data: {
          appId: SIM_DEFAULTS.appId,
          mchid: "1900000001",
          outTradeNo: "MERGE-ORDER-1",
          userId: baseOnly,
          openid: zhangsan.openid,
          description: "合并前的订单",
          amount: 1,
          state: "unpaid",
          caller: "internal",
          expiresAt: new Date(w.clock.now().getTime() + 3_600_000),
          createdAt: w.clock.now(),
        },
      });

      w.clock.advance(120);
      const merged = await w.login("snsapi_userinfo", "zhangsan");
      expect(merged).toBe(pc.id);
      expect(await w.db.user.findUnique({ where: { id: baseOnly } })).toBeNull();
      expect(await w.db.user.count()).toBe(1);
      const user = await userWithIdentities(w, pc.id);
      expect(user.unionid).toBe(zhangsan.unionid);
      expect(user.scope).toBe("snsapi_userinfo");
      expect(user.identities.map((i) => `${i.appid}:${i.openid}`).sort()).toEqual(
        [`${SIM_DEFAULTS.appId}:${zhangsan.openid}`, `${PC_APPID}:oPcWebsiteOpenid00000000000A`].sort(),
      );
      // Both H5 logins' history moved with the identity.
      expect(user.logins.map((l) => l.scope).sort()).toEqual(["snsapi_base", "snsapi_userinfo"]);
      expect(await w.db.loginEvent.count({ where: { userId: baseOnly } })).toBe(0);
      expect(await w.db.identity.count({ where: { userId: baseOnly } })).toBe(0);
      expect(await w.db.payOrder.findUniqueOrThrow({ where: { id: order.id } })).toMatchObject({ userId: pc.id });
    });

    it("concurrent userinfo logins racing to merge the same person all succeed, into one", async () => {
      const w = world();
      const zhangsan = fixture(w, "zhangsan");
      const pc = await pcWebsitePerson(w, zhangsan.unionid ?? "");
      const baseOnly = await w.login("snsapi_base", "zhangsan");
      const logins = [];
      for (let i = 0; i < 5; i++) {
        const begun = await w.begin("snsapi_userinfo");
        logins.push({ begun, callback: await w.authorize(begun, { user: "zhangsan" }) });
      }
      // On PostgreSQL the losers find the person they read merged away (P2025) and must run again.
      const outcomes = await Promise.all(logins.map(({ begun, callback }) => w.complete(begun, callback)));
      expect(outcomes.map((o) => (o.kind === "signed_in" ? o.userId : o.kind))).toEqual(Array(5).fill(pc.id));
      expect(await w.db.user.count()).toBe(1);
      expect(await w.db.user.findUnique({ where: { id: baseOnly } })).toBeNull();
      expect(await w.db.loginEvent.count({ where: { userId: pc.id } })).toBe(6);
    });

    it("two people without unionids stay two", async () => {
      const w = world();
      const a = await w.login("snsapi_userinfo", "lisi");
      const b = await w.login("snsapi_userinfo", "rare");
      expect(a).not.toBe(b);
      expect(await w.db.user.count()).toBe(2);
    });
  });

  describe(`concurrent first logins (${kind})`, () => {
    const world = useLoginWorld(database);

    it.each(["snsapi_base", "snsapi_userinfo"] as const)(
      "20 simultaneous %s logins of one person make one User and one Identity",
      async (scope) => {
        const w = world();
        const begun = [];
        for (let i = 0; i < 20; i++) {
          const b = await w.begin(scope);
          begun.push({ begun: b, callback: await w.authorize(b, { user: "zhangsan" }) });
        }
        expect(new Set(begun.map((b) => b.callback.code)).size).toBe(20);
        const outcomes = await Promise.all(begun.map(({ begun, callback }) => w.complete(begun, callback)));
        const ids = new Set(outcomes.map((o) => (o.kind === "signed_in" ? o.userId : `not signed in: ${o.kind}`)));
        expect(ids.size).toBe(1);
        expect(await w.db.user.count()).toBe(1);
        expect(await w.db.identity.count()).toBe(1);
        expect(await w.db.loginEvent.count()).toBe(20);
        const user = await w.db.user.findFirstOrThrow();
        expect(user.unionid).toBe(scope === "snsapi_userinfo" ? fixture(w, "zhangsan").unionid : null);
      },
    );
  });

  describe(`concurrent logins of different people (${kind})`, () => {
    const people = crowd(20);
    const world = useLoginWorld(database, { users: people });

    it("20 simultaneous logins of 20 people all succeed", async () => {
      const w = world();
      const begun = [];
      for (const person of people) {
        const b = await w.begin("snsapi_userinfo");
        begun.push({ begun: b, callback: await w.authorize(b, { user: person.key }) });
      }
      const outcomes = await Promise.all(begun.map(({ begun, callback }) => w.complete(begun, callback)));
      expect(outcomes.every((o) => o.kind === "signed_in")).toBe(true);
      expect(await w.db.user.count()).toBe(20);
      expect(await w.db.identity.count()).toBe(20);
      const stored = await w.db.user.findMany({ select: { nickname: true, unionid: true } });
      expect(stored.map((u) => u.nickname).sort()).toEqual(people.map((p) => p.nickname).sort());
      expect(stored.map((u) => u.unionid).sort()).toEqual(people.map((p) => p.unionid).sort());
    });
  });
});
