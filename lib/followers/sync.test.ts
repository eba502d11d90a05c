// The follower sync against the in-process simulator, on SQLite and PostgreSQL: paging to the real last
// page, people shared with logins, unsubscriptions, resuming a killed run, one run at a time, failures
// recorded with their errcode, and the bounded number of batchget calls in flight.
import { beforeEach, describe, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { useLoginWorld, type LoginWorld } from "@/test/support/world";
import { WeChatApiError } from "@/lib/wechat/errors";
import { WeChatFollowers } from "@/lib/wechat/followers";
import { generatedOpenid, generatedUnionid } from "@/simulator/cgi/followers";
import { SIM_DEFAULTS } from "@/simulator/server";
import { HeldCgiClient, clearFollowerTables, simulatorCgiClient } from "@/test/support/followers/clients";
import { SyncBusyError, syncFollowers, type FollowerSyncDeps, type SyncProgress } from "./sync";

const APP_ID = SIM_DEFAULTS.appId;

forEachDatabase((_kind, database) => {
  const world = useLoginWorld(database);
  let w: LoginWorld;

  beforeEach(async () => {
    w = world();
    await clearFollowerTables(w.db);
  });

  const deps = (overrides: Partial<FollowerSyncDeps> = {}): FollowerSyncDeps => ({
    db: w.db,
    wechat: new WeChatFollowers(simulatorCgiClient(w.sim)),
    appId: APP_ID,
    now: w.clock.now,
    holder: "test-a",
    ...overrides,
  });
  const userGets = () => w.sim.requests().filter((r) => r.path === "/cgi-bin/user/get");
  const batchGets = () => w.sim.requests().filter((r) => r.path === "/cgi-bin/user/info/batchget");

  it("pages through every follower to the empty page and stores them as people with identities", async () => {
    w.sim.followers.configure({ count: 250, pageSize: 100 });
    const done = await syncFollowers(deps());
    expect(done).toMatchObject({ status: "done", total: 255, listed: 255, upserted: 255, unsubscribed: 0 });
    // 3 pages of 100 (fixtures first) and the empty one that ends the list, though the last named a next_openid.
    expect(userGets().map((r) => r.query.next_openid ?? "")).toEqual([
      "",
      generatedOpenid(94),
      generatedOpenid(194),
      generatedOpenid(249),
    ]);
    expect(batchGets()).toHaveLength(3);
    expect(await w.db.user.count({ where: { subscribed: true } })).toBe(255);
    expect(await w.db.identity.count({ where: { appid: APP_ID } })).toBe(255);
    const person = await w.db.identity.findUniqueOrThrow({
      where: { appid_openid: { appid: APP_ID, openid: generatedOpenid(4) } },
      include: { user: true },
    });
    expect(person.user).toMatchObject({ unionid: generatedUnionid(4), subscribed: true, remark: null });
    expect(person.user.subscribeScene).toMatch(/^ADD_SCENE_/);
    const run = await w.db.syncRun.findFirstOrThrow();
    expect(run).toMatchObject({
      kind: "followers",
      status: "done",
      total: 255,
      listed: 255,
      cursor: generatedOpenid(249),
    });
  });

  it("a follower who later logs in is the same person, and a person who logged in first becomes the follower", async () => {
    const lisiId = await w.login("snsapi_base", "lisi");
    await syncFollowers(deps());
    expect(await w.db.user.count()).toBe(5);
    const lisi = await w.db.user.findUniqueOrThrow({ where: { id: lisiId } });
    expect(lisi.subscribed).toBe(true);
    const zhangsan = await w.db.identity.findUniqueOrThrow({
      where: { appid_openid: { appid: APP_ID, openid: w.sim.users[0]!.openid } },
    });
    const loggedIn = await w.login("snsapi_userinfo", "zhangsan");
    expect(loggedIn).toBe(zhangsan.userId);
    expect(await w.db.user.count()).toBe(5);
  });

  it("marks as unsubscribed the people the next sync no longer lists", async () => {
    w.sim.followers.configure({ count: 20, fixtures: false });
    await syncFollowers(deps());
    w.sim.followers.unsubscribe([generatedOpenid(3), generatedOpenid(17)]);
    w.clock.advance(3600);
    const second = await syncFollowers(deps());
    expect(second).toMatchObject({ status: "done", total: 18, unsubscribed: 2 });
    const gone = await w.db.user.findMany({
      where: { subscribed: false },
      select: { identities: { select: { openid: true } }, unsubscribedAt: true },
    });
    expect(gone.map((u) => u.identities[0]?.openid).sort()).toEqual([generatedOpenid(3), generatedOpenid(17)]);
    expect(gone[0]?.unsubscribedAt).toEqual(w.clock.now());
  });

  it("mirrors the tags and each follower's tags from WeChat, on first sight and on later syncs", async () => {
    w.sim.followers.configure({ count: 5, fixtures: false });
    const wechat = new WeChatFollowers(simulatorCgiClient(w.sim));
    const tag = await wechat.createTag("上海", []);
    await wechat.tagFollowers(tag.id, [generatedOpenid(1), generatedOpenid(3)]);
    await syncFollowers(deps());
    const tagged = async () =>
      (
        await w.db.userTag.findMany({
          where: { tagId: tag.id },
          select: { user: { select: { identities: { select: { openid: true } } } } },
        })
      )
        .map((t) => t.user.identities[0]?.openid)
        .sort();
    expect(await w.db.tag.findUnique({ where: { id: tag.id } })).toMatchObject({ name: "上海", count: 2 });
    expect(await tagged()).toEqual([generatedOpenid(1), generatedOpenid(3)]);

    await wechat.untagFollowers(tag.id, [generatedOpenid(1)]);
    await wechat.tagFollowers(tag.id, [generatedOpenid(4)]);
    w.clock.advance(60);
    await syncFollowers(deps());
    expect(await tagged()).toEqual([generatedOpenid(3), generatedOpenid(4)]);
  });

  it("a killed sync resumes from its checkpoint, once the dead holder's lease has run out", async () => {
    w.sim.followers.configure({ count: 300, fixtures: false, pageSize: 100 });
    const kill = new AbortController();
    const killed = syncFollowers(deps({ holder: "killed" }), {
      signal: kill.signal,
      // "Killed" right after the second page's checkpoint: nothing is cleaned up.
      onProgress: (p: SyncProgress) => {
        if (p.cursor === generatedOpenid(199)) kill.abort(new Error("killed"));
      },
    });
    await expect(killed).rejects.toThrow("killed");
    const checkpoint = await w.db.syncRun.findFirstOrThrow();
    expect(checkpoint).toMatchObject({ status: "running", cursor: generatedOpenid(199), listed: 200 });

    // The dead process still holds the lease: another instance has to wait for it to run out.
    await expect(syncFollowers(deps({ holder: "next" }))).rejects.toBeInstanceOf(SyncBusyError);
    w.clock.advance(61);
    w.sim.clearRequests();
    const resumed = await syncFollowers(deps({ holder: "next" }));
    expect(resumed).toMatchObject({
      runId: checkpoint.id,
      resumed: true,
      status: "done",
      listed: 300,
      unsubscribed: 0,
    });
    // From the checkpoint, not from the start (the killed run's last prefetch may land here too).
    const asked = userGets().map((r) => r.query.next_openid ?? "");
    expect(asked).toContain(generatedOpenid(199));
    expect(asked).not.toContain("");
    expect(batchGets()).toHaveLength(1);
    expect(await w.db.user.count({ where: { subscribed: true } })).toBe(300);
    expect(await w.db.syncRun.count()).toBe(1);
  });

  it("a failure is recorded with its errcode, releases the lease, and the next sync resumes", async () => {
    w.sim.followers.configure({ count: 150, fixtures: false, pageSize: 100 });
    // WeChat is busy (retried), then the daily quota is reached.
    w.sim.failNext("/cgi-bin/user/info/batchget", { kind: "busy" });
    w.sim.failNext("/cgi-bin/user/info/batchget", { kind: "errcode", errcode: 45009 });
    const failed = await syncFollowers(deps()).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WeChatApiError);
    const run = await w.db.syncRun.findFirstOrThrow();
    expect(run.status).toBe("failed");
    expect(run.error).toContain("errcode 45009");
    const again = await syncFollowers(deps({ holder: "other" }));
    expect(again).toMatchObject({ runId: run.id, resumed: true, status: "done", listed: 150 });
  });

  it("refuses a second sync while one runs", async () => {
    const held = new HeldCgiClient((call) => (call.path === "/cgi-bin/tags/get" ? { tags: [] } : undefined));
    const first = syncFollowers(deps({ wechat: new WeChatFollowers(held), holder: "one" }));
    const [page] = await held.waitForHeld(1);
    await expect(syncFollowers(deps({ holder: "two" }))).rejects.toBeInstanceOf(SyncBusyError);
    page?.answer({ total: 0, count: 0, next_openid: "" });
    await expect(first).resolves.toMatchObject({ status: "done" });
  });

  it("keeps at most `concurrency` batchget calls in flight", async () => {
    const openids = Array.from({ length: 1000 }, (_, i) => generatedOpenid(i));
    let pages = 0;
    const held = new HeldCgiClient((call) => {
      if (call.path === "/cgi-bin/tags/get") return { tags: [] };
      if (call.path === "/cgi-bin/user/get") {
        pages++;
        return pages === 1
          ? { total: 1000, count: 1000, data: { openid: openids }, next_openid: openids[999] }
          : { total: 1000, count: 0, next_openid: "" };
      }
      return undefined;
    });
    const batchCalls = () => held.calls.filter((c) => c.path === "/cgi-bin/user/info/batchget").length;
    const run = syncFollowers(deps({ wechat: new WeChatFollowers(held), concurrency: 3 }));
    const pending = await held.waitForHeld(3);
    // Three held, none answered: no fourth is asked for.
    expect(batchCalls()).toBe(3);
    let answered = 0;
    while (pending.length > 0) {
      const call = pending.shift()!;
      const list = (call.call.body as { user_list: { openid: string }[] }).user_list;
      call.answer({ user_info_list: list.map((u) => ({ subscribe: 1, openid: u.openid })) });
      answered++;
      if (answered + pending.length < 10) pending.push(...(await held.waitForHeld(1)));
      expect(batchCalls()).toBeLessThanOrEqual(answered + 3);
    }
    await expect(run).resolves.toMatchObject({ status: "done", upserted: 1000 });
    expect(batchCalls()).toBe(10);
    expect(held.maxInFlight).toBe(3);
  });
});

describe("the follower list limit", () => {
  it("WeChat's page is 10,000 openids", async () => {
    const { FOLLOWER_PAGE_SIZE } = await import("@/lib/wechat/followers");
    expect(FOLLOWER_PAGE_SIZE).toBe(10_000);
  });
});
