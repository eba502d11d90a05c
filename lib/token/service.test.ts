import { describe, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { WeChatApiError } from "@/lib/wechat/errors";
import { cardTicketCall, jsapiTicketCall, STABLE_FORCE_MAX_PER_HOUR } from "@/lib/wechat/token";
import { acquireLease } from "@/lib/lease";
import { credentialHash } from "./store";
import { leaseName, leaderLeaseName } from "./service";
import { useTokenWorld } from "@/test/support/token/world";

const TOKEN = "/cgi-bin/token";
const STABLE = "/cgi-bin/stable_token";
const TICKET = "/cgi-bin/ticket/getticket";

forEachDatabase((_kind, database) => {
  const world = useTokenWorld(database);

  describe("reads", () => {
    it("a cold start with concurrent reads in three instances makes one upstream fetch", async () => {
      const w = world();
      const instances = ["a", "b", "c"].map((name) => w.make(name));
      const values = await Promise.all(
        Array.from({ length: 60 }, (_, i) => instances[i % 3]!.accessToken().then((c) => c.value)),
      );
      expect(new Set(values).size).toBe(1);
      expect(w.upstream(TOKEN)).toBe(1);
      expect(w.sim.basicTokens.check(values[0]!)).toBeNull();
    });

    it("stores the value sealed, with its sha256 hex, version and expiry", async () => {
      const w = world();
      const token = await w.make("a").accessToken();
      const row = await w.db.weChatCredential.findFirstOrThrow();
      expect(row.valueEnc).not.toContain(token.value);
      expect(row.valueHash).toBe(credentialHash(token.value));
      expect(row.valueHash).toMatch(/^[0-9a-f]{64}$/);
      expect(row).toMatchObject({ kind: "access_token", version: 1, source: "classic", invalidatedAt: null });
      expect(row.expiresAt.getTime() - row.fetchedAt.getTime()).toBe(7200_000);
      const fetches = await w.db.credentialFetch.findMany();
      expect(fetches).toMatchObject([{ api: "classic", ok: true, instance: "a" }]);
    });

    it("a value sealed with another key (TOKEN_ENCRYPTION_KEY changed) is fetched again, not an error", async () => {
      const w = world();
      await w.make("old", { key: Buffer.alloc(32, 7) }).accessToken();
      const token = await w.make("new").accessToken();
      expect(w.sim.basicTokens.check(token.value)).toBeNull();
      expect(w.upstream(TOKEN)).toBe(2);
      expect((await w.db.weChatCredential.findFirstOrThrow()).version).toBe(2);
    });

    it("readers keep the current value without fetching until it is due", async () => {
      const w = world();
      const a = w.make("a");
      const first = await a.accessToken();
      w.clock.advance(7200 - 16 * 60);
      expect((await w.make("b").accessToken()).value).toBe(first.value);
      expect(w.upstream(TOKEN)).toBe(1);
    });
  });

  describe("proactive refresh by one leader", () => {
    it("only the leader refreshes, 15-20 minutes ahead (classic), and readers move to the new value", async () => {
      const w = world();
      const [a, b] = [w.make("a"), w.make("b")];
      const first = await a.accessToken();
      expect((await a.tick()).leader).toBe(true);
      expect((await b.tick()).leader).toBe(false);
      // random() is 0.5: due 17.5 minutes before expiry.
      w.clock.advance(7200 - 17.5 * 60 - 1);
      expect((await a.tick()).refreshed).toEqual([]);
      w.clock.advance(1);
      expect(await b.tick()).toMatchObject({ leader: false, refreshed: [] });
      expect(await a.tick()).toMatchObject({ leader: true, refreshed: ["access_token"] });
      w.clock.advance(2);
      const second = await b.accessToken();
      expect(second.value).not.toBe(first.value);
      expect(second.version).toBe(2);
      expect(w.upstream(TOKEN)).toBe(2);
    });

    it("a leader that dies mid-refresh is replaced when its leases run out; readers keep the old token", async () => {
      const w = world();
      const b = w.make("b");
      const first = await b.accessToken();
      w.clock.advance(7200 - 15 * 60);
      const now = w.clock.now();
      // "dead" is the leader, took the fetch lease to refresh, and died.
      await acquireLease(w.db, { name: leaderLeaseName(b.appId), holder: "dead", ttlMs: 60_000, now });
      await acquireLease(w.db, { name: leaseName(b.appId, "access_token"), holder: "dead", ttlMs: 60_000, now });
      expect(await b.tick()).toMatchObject({ leader: false });
      expect((await b.accessToken()).value).toBe(first.value);
      w.clock.advance(60);
      expect(await b.tick()).toMatchObject({ leader: true, refreshed: ["access_token"] });
      expect(w.upstream(TOKEN)).toBe(2);
    });

    it("over 24 simulated hours with no overlap at all, no reader ever holds a token WeChat refuses", async () => {
      const w = world();
      // The overlap is what saves other SDKs' readers; with the lead longer than it, we never need it.
      w.sim.basicTokens.setOverlap(0);
      const instances = [w.make("a"), w.make("b")];
      let refused = 0;
      for (let t = 0; t < 24 * 3600; t += 120) {
        for (const s of instances) {
          await s.tick();
          const token = await s.accessToken();
          if (w.sim.basicTokens.check(token.value) !== null) refused++;
        }
        w.clock.advance(120);
      }
      expect(refused).toBe(0);
      // 7200 s tokens refreshed 17.5 minutes early: 24 h / 102.5 min.
      expect(w.upstream(TOKEN)).toBeLessThanOrEqual(15);
      expect(w.upstream(TOKEN)).toBeGreaterThanOrEqual(12);
    }, 60_000);
  });

  describe("passive refresh (compare-and-expire)", () => {
    it("a storm of reports of the current token from three instances makes one fetch", async () => {
      const w = world();
      const instances = ["a", "b", "c"].map((name) => w.make(name));
      const bad = await instances[0]!.accessToken();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => instances[i % 3]!.reportInvalid("access_token", bad.value)),
      );
      expect(new Set(results.map((r) => r.value)).size).toBe(1);
      expect(results[0]!.value).not.toBe(bad.value);
      expect(w.upstream(TOKEN)).toBe(2);
      // A late report of the replaced token costs nothing.
      await instances[1]!.reportInvalid("access_token", bad.value);
      await instances[2]!.reportInvalid("access_token", "never-issued");
      expect(w.upstream(TOKEN)).toBe(2);
    });

    it("stable: a non-forced call first; force_refresh only when the same token comes back", async () => {
      const w = world();
      const a = w.make("a", { api: "stable" });
      const first = await a.accessToken();
      // WeChat refuses it, yet stable_token still hands it out as current: the non-forced call returns
      // it, so force.
      w.sim.basicTokens.refuse(first.value);
      const second = await a.reportInvalid("access_token", first.value);
      expect(second.value).not.toBe(first.value);
      expect([w.upstream(STABLE)]).toEqual([3]);
      const apis = (await w.db.credentialFetch.findMany({ orderBy: { createdAt: "asc" } })).map((f) => f.api);
      expect(apis).toEqual(["stable", "stable", "stable_force"]);
      // WeChat itself replaced it (e.g. the secret was reset): the non-forced call brings a new one.
      w.sim.basicTokens.invalidateAll();
      w.clock.advance(60);
      const third = await a.reportInvalid("access_token", second.value);
      expect(third.value).not.toBe(second.value);
      expect(w.upstream(STABLE)).toBe(4);
    });

    it("force_refresh is not attempted twice within 30 s", async () => {
      const w = world();
      const a = w.make("a", { api: "stable" });
      const first = await a.accessToken();
      w.sim.basicTokens.refuse(first.value);
      const second = await a.reportInvalid("access_token", first.value);
      w.clock.advance(10);
      w.sim.basicTokens.refuse(second.value);
      const error = await a.reportInvalid("access_token", second.value).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeChatApiError);
      expect((error as WeChatApiError).errcode).toBe(45011);
      const forced = (await w.db.credentialFetch.findMany({ where: { api: "stable_force" } })).length;
      expect(forced).toBe(2);
      expect(w.sim.requests().filter((r) => r.body.includes('"force_refresh":true'))).toHaveLength(1);
      // Readers are not stalled by that report: the token WeChat calls current is served again.
      expect((await w.make("b", { api: "stable" }).accessToken()).value).toBe(second.value);
      // And further reports within the 30 s do not ask WeChat again.
      const before = w.sim.requests().length;
      await expect(a.reportInvalid("access_token", second.value)).rejects.toMatchObject({ errcode: 45011 });
      expect(w.sim.requests()).toHaveLength(before);
      expect((await w.make("c", { api: "stable" }).accessToken()).value).toBe(second.value);
    });
  });

  describe("force refresh is for tokens WeChat refuses (nobody can burn the day's 20)", () => {
    it("a report of a token WeChat still accepts forces nothing, however often it comes", async () => {
      const w = world();
      const a = w.make("a", { api: "stable" });
      const first = await a.accessToken();
      for (let i = 0; i < 5; i++) {
        w.clock.advance(31);
        expect((await a.reportInvalid("access_token", first.value)).value).toBe(first.value);
      }
      expect(w.sim.requests().filter((r) => r.body.includes('"force_refresh":true'))).toHaveLength(0);
      expect(await w.db.credentialFetch.count({ where: { api: "stable_force" } })).toBe(0);
      expect((await a.accessToken()).value).toBe(first.value);
    });

    it(`at most ${STABLE_FORCE_MAX_PER_HOUR} force refreshes an hour, even of refused tokens`, async () => {
      const w = world();
      const a = w.make("a", { api: "stable" });
      let token = await a.accessToken();
      for (let i = 0; i < STABLE_FORCE_MAX_PER_HOUR; i++) {
        w.clock.advance(60);
        w.sim.basicTokens.refuse(token.value);
        const next = await a.reportInvalid("access_token", token.value);
        expect(next.value).not.toBe(token.value);
        token = next;
      }
      w.clock.advance(60);
      w.sim.basicTokens.refuse(token.value);
      await expect(a.reportInvalid("access_token", token.value)).rejects.toMatchObject({ errcode: 45011 });
      expect(w.sim.requests().filter((r) => r.body.includes('"force_refresh":true'))).toHaveLength(
        STABLE_FORCE_MAX_PER_HOUR,
      );
      // An hour after the first, one more is allowed (past the failed attempt's backoff).
      w.clock.advance(3600);
      w.sim.basicTokens.refuse(token.value);
      expect((await a.reportInvalid("access_token", token.value)).value).not.toBe(token.value);
    });
  });

  describe("errors and quota", () => {
    it("45009 (quota) is surfaced and stops further fetches by any instance for a while", async () => {
      const w = world();
      w.sim.basicTokens.setQuota({ classic: 1 });
      const a = w.make("a");
      const first = await a.accessToken();
      await expect(a.reportInvalid("access_token", first.value)).rejects.toMatchObject({ errcode: 45009 });
      await expect(w.make("b").reportInvalid("access_token", first.value)).rejects.toMatchObject({ errcode: 45009 });
      expect(w.upstream(TOKEN)).toBe(2);
      w.clock.advance(600);
      await expect(a.reportInvalid("access_token", first.value)).rejects.toMatchObject({ errcode: 45009 });
      expect(w.upstream(TOKEN)).toBe(3);
    });

    it.each([40013, 40125, 40164])("%i is sent once, never retried", async (errcode) => {
      const w = world();
      w.sim.failNext(TOKEN, { kind: "errcode", errcode }, 5);
      await expect(w.make("a").accessToken()).rejects.toMatchObject({ errcode });
      await expect(w.make("b").accessToken()).rejects.toMatchObject({ errcode });
      expect(w.upstream(TOKEN)).toBe(1);
      const [failure] = await w.db.credentialFetch.findMany();
      expect(failure).toMatchObject({ ok: false, errcode });
    });

    it("-1 is retried with backoff", async () => {
      const w = world();
      w.sim.failNext(TOKEN, { kind: "busy" }, 2);
      await w.make("a").accessToken();
      expect(w.upstream(TOKEN)).toBe(3);
    });
  });

  describe("failover", () => {
    it("transport errors and 5xx send calls to the backup, and they come back once the primary is healthy", async () => {
      const w = world();
      const a = w.make("a");
      w.sim.setOutage("primary", { kind: "http", status: 502 });
      const first = await a.accessToken();
      expect(w.sim.requests().map((r) => r.host)).toEqual(["primary", "backup"]);
      expect((await w.db.credentialFetch.findFirstOrThrow()).host).toBe(new URL(w.sim.backupUrl).host);
      w.sim.setOutage("primary", { kind: "refuse" });
      w.clock.advance(10);
      await a.cgi.call(jsapiTicketCall);
      expect(w.sim.requests().at(-1)?.host).toBe("backup");
      w.sim.setOutage("primary", null);
      w.clock.advance(31);
      await a.reportInvalid("access_token", first.value);
      expect(w.sim.requests().at(-1)).toMatchObject({ host: "primary", path: TOKEN });
    });
  });

  describe("CgiClient and the jsapi_ticket", () => {
    it("on 40001 reports the token it used and retries the call once", async () => {
      const w = world();
      const a = w.make("a");
      await a.accessToken();
      w.sim.basicTokens.invalidateAll();
      const ticket = await a.cgi.call(jsapiTicketCall);
      expect(w.sim.tickets.isValid(ticket.value)).toBe(true);
      expect(w.sim.requests().map((r) => r.path)).toEqual([TOKEN, TICKET, TOKEN, TICKET]);
    });

    it("retries only once: a second stale answer is thrown", async () => {
      const w = world();
      const a = w.make("a");
      await a.accessToken();
      w.sim.failNext(TICKET, { kind: "errcode", errcode: 40001 }, 2);
      await expect(a.cgi.call(jsapiTicketCall)).rejects.toMatchObject({ errcode: 40001 });
      expect(w.upstream(TICKET)).toBe(2);
    });

    it("the ticket is central too: one fetch for many readers, refreshed by the leader", async () => {
      const w = world();
      const [a, b] = [w.make("a"), w.make("b")];
      const tickets = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).jsapiTicket()));
      expect(new Set(tickets.map((t) => t.value)).size).toBe(1);
      expect(w.upstream(TICKET)).toBe(1);
      await a.tick();
      w.clock.advance(7200 - 17.5 * 60);
      const ticked = await a.tick();
      expect(ticked.refreshed).toEqual(expect.arrayContaining(["access_token", "jsapi_ticket"]));
      expect(w.upstream(TICKET)).toBe(2);
      expect(w.sim.tickets.isValid((await b.jsapiTicket()).value)).toBe(true);
    });
  });

  describe("the card api_ticket (wx_card) beside the jsapi_ticket", () => {
    it("is central too: one getticket?type=wx_card for many readers, sealed, its own row and fetch log", async () => {
      const w = world();
      const [a, b] = [w.make("a"), w.make("b")];
      const tickets = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).cardTicket()));
      expect(new Set(tickets.map((t) => t.value)).size).toBe(1);
      const value = tickets[0]!.value;
      expect(w.sim.tickets.isValid(value, "wx_card")).toBe(true);
      expect(
        w.sim
          .requests()
          .filter((r) => r.path === TICKET)
          .map((r) => r.query.type),
      ).toEqual(["wx_card"]);
      const row = await w.db.weChatCredential.findFirstOrThrow({ where: { kind: "card_ticket" } });
      expect(row).toMatchObject({ version: 1, source: "ticket", valueHash: credentialHash(value) });
      expect(row.valueEnc).not.toContain(value);
      expect(await w.db.credentialFetch.findMany({ where: { kind: "card_ticket" } })).toMatchObject([
        { api: "card_ticket", ok: true },
      ]);
      // The jsapi_ticket is another value, fetched with type=jsapi.
      expect((await a.jsapiTicket()).value).not.toBe(value);
    });

    it("the leader refreshes it ahead of expiry with the ticket policy; readers move to the new one", async () => {
      const w = world();
      const [a, b] = [w.make("a"), w.make("b")];
      const first = await a.cardTicket();
      await a.tick();
      w.clock.advance(7200 - 19 * 60);
      expect((await a.tick()).refreshed).not.toContain("card_ticket");
      expect((await b.cardTicket()).value).toBe(first.value);
      w.clock.advance(2 * 60);
      const ticked = await a.tick();
      expect(ticked.refreshed).toEqual(expect.arrayContaining(["card_ticket"]));
      const next = await b.cardTicket();
      expect(next.value).not.toBe(first.value);
      expect(w.sim.tickets.isValid(next.value, "wx_card")).toBe(true);
      expect(w.sim.requests().filter((r) => r.query.type === "wx_card")).toHaveLength(2);
    });

    it("a storm of reports of the current card ticket from three instances makes one fetch", async () => {
      const w = world();
      const instances = ["a", "b", "c"].map((name) => w.make(name));
      const first = await instances[0]!.cardTicket();
      const replaced = await Promise.all(
        Array.from({ length: 30 }, (_, i) => instances[i % 3]!.reportInvalid("card_ticket", first.value)),
      );
      expect(new Set(replaced.map((c) => c.value)).size).toBe(1);
      expect(replaced[0]!.value).not.toBe(first.value);
      expect(w.sim.requests().filter((r) => r.query.type === "wx_card")).toHaveLength(2);
    });

    it("the CgiClient fetches it with the access_token it holds, retrying once after a 40001", async () => {
      const w = world();
      const a = w.make("a");
      await a.accessToken();
      w.sim.basicTokens.invalidateAll();
      const ticket = await a.cgi.call(cardTicketCall);
      expect(w.sim.tickets.isValid(ticket.value, "wx_card")).toBe(true);
      expect(w.sim.requests().map((r) => r.path)).toEqual([TOKEN, TICKET, TOKEN, TICKET]);
    });
  });
});
