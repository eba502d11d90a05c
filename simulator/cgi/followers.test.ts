import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";
import { generatedOpenid, generatedUnionid } from "./followers";

let sim: Simulator;
let token = "";
beforeAll(async () => {
  sim = await startSimulator({ startTime: START_TIME });
});
afterAll(() => sim.close());
beforeEach(async () => {
  sim.reset();
  const query = new URLSearchParams({
    grant_type: "client_credential",
    appid: SIM_DEFAULTS.appId,
    secret: SIM_DEFAULTS.appSecret,
  });
  token = ((await (await fetch(`${sim.url}/cgi-bin/token?${query}`)).json()) as { access_token: string }).access_token;
});

type Body = Record<string, unknown> & { errcode?: number; tag?: { id: number; name: string } };

async function get(path: string, params: Record<string, string> = {}, accessToken = token): Promise<Body> {
  const res = await fetch(`${sim.url}${path}?${new URLSearchParams({ access_token: accessToken, ...params })}`);
  expect(res.headers.get("content-type")).toBe("text/plain");
  return (await res.json()) as Body;
}

async function post(path: string, body: unknown): Promise<Body> {
  const res = await fetch(`${sim.url}${path}?access_token=${token}`, { method: "POST", body: JSON.stringify(body) });
  expect(res.headers.get("content-type")).toBe("text/plain");
  return (await res.json()) as Body;
}

const fixtureOpenids = () => sim.users.filter((u) => !u.snapshot).map((u) => u.openid);

describe("cgi-bin/user/get", () => {
  it("checks the access_token before anything else", async () => {
    expect((await get("/cgi-bin/user/get", {}, "stale")).errcode).toBe(40001);
    expect((await get("/cgi-bin/user/get", {}, "")).errcode).toBe(41001);
  });

  it("lists the fixture followers (not the snapshot user), then an empty page", async () => {
    const first = await get("/cgi-bin/user/get");
    expect(first).toMatchObject({ total: 5, count: 5, data: { openid: fixtureOpenids() } });
    expect(first.next_openid).toBe(fixtureOpenids()[4]);
    const last = await get("/cgi-bin/user/get", { next_openid: first.next_openid as string });
    expect(last).toEqual({ total: 5, count: 0, next_openid: "" });
  });

  it("pages a million generated followers 10,000 at a time, cheaply", async () => {
    sim.followers.configure({ count: 1_000_000, fixtures: false });
    const first = await get("/cgi-bin/user/get");
    expect(first.total).toBe(1_000_000);
    expect(first.count).toBe(10_000);
    expect((first.data as { openid: string[] }).openid[0]).toBe(generatedOpenid(0));
    expect(first.next_openid).toBe(generatedOpenid(9_999));
    const lastFull = await get("/cgi-bin/user/get", { next_openid: generatedOpenid(989_999) });
    // The last page still names a next_openid; only the call after it says count 0.
    expect(lastFull).toMatchObject({ count: 10_000, next_openid: generatedOpenid(999_999) });
    expect(await get("/cgi-bin/user/get", { next_openid: generatedOpenid(999_999) })).toMatchObject({ count: 0 });
  });

  it("skips unsubscribed followers and counts them out of the total", async () => {
    sim.followers.configure({ count: 3, fixtures: false });
    sim.followers.unsubscribe([generatedOpenid(1)]);
    const page = await get("/cgi-bin/user/get");
    expect(page).toMatchObject({ total: 2, count: 2, data: { openid: [generatedOpenid(0), generatedOpenid(2)] } });
    expect((await get("/cgi-bin/user/get", { next_openid: "oNotAFollower00000000000000" })).errcode).toBe(40003);
  });

  it("held: the first page answers, later pages wait until released (a test sees a sync midway)", async () => {
    sim.followers.configure({ count: 5, fixtures: false, pageSize: 2 });
    const control = (path: string, method = "POST") =>
      fetch(`${sim.url}/__sim/followers/${path}`, { method }).then((r) => r.json());
    await control("hold-list");
    expect(await get("/cgi-bin/user/get")).toMatchObject({ count: 2, next_openid: generatedOpenid(1) });
    let answered = false;
    const second = get("/cgi-bin/user/get", { next_openid: generatedOpenid(1) }).then((page) => {
      answered = true;
      return page;
    });
    await expect.poll(() => control("held-list", "GET")).toEqual({ held: true, waiting: 1 });
    expect(answered).toBe(false);
    expect(await control("release-list")).toEqual({ ok: true, released: 1 });
    expect(await second).toMatchObject({ count: 2, data: { openid: [generatedOpenid(2), generatedOpenid(3)] } });
    // Released for good: the next page answers at once.
    expect(await get("/cgi-bin/user/get", { next_openid: generatedOpenid(3) })).toMatchObject({ count: 1 });
  });

  it("a reset releases a held list", async () => {
    sim.followers.configure({ count: 5, fixtures: false, pageSize: 2 });
    sim.followers.holdList();
    const held = get("/cgi-bin/user/get", { next_openid: generatedOpenid(1) });
    await expect
      .poll(() => fetch(`${sim.url}/__sim/followers/held-list`).then((r) => r.json()))
      .toEqual({ held: true, waiting: 1 });
    sim.reset();
    expect(await held).toMatchObject({ errcode: 40003 });
  });

  it("refuses POST", async () => {
    expect((await post("/cgi-bin/user/get", {})).errcode).toBe(43001);
  });
});

describe("cgi-bin/user/info and batchget", () => {
  it("describes a follower without nickname or avatar, and an unsubscribed one with subscribe 0 only", async () => {
    sim.followers.configure({ count: 10, fixtures: false });
    const info = await get("/cgi-bin/user/info", { openid: generatedOpenid(4), lang: "zh_CN" });
    expect(info).toMatchObject({ subscribe: 1, openid: generatedOpenid(4), unionid: generatedUnionid(4), groupid: 0 });
    expect(info).not.toHaveProperty("nickname");
    expect(info).not.toHaveProperty("headimgurl");
    expect(info.subscribe_scene).toMatch(/^ADD_SCENE_/);
    sim.followers.unsubscribe([generatedOpenid(4)]);
    expect(await get("/cgi-bin/user/info", { openid: generatedOpenid(4) })).toEqual({
      subscribe: 0,
      openid: generatedOpenid(4),
    });
    expect((await get("/cgi-bin/user/info", { openid: "oUnknown" })).errcode).toBe(40003);
  });

  it("batchget answers up to 100 and refuses 101", async () => {
    sim.followers.configure({ count: 200, fixtures: false });
    const list = (n: number) => Array.from({ length: n }, (_, i) => ({ openid: generatedOpenid(i), lang: "zh_CN" }));
    const ok = await post("/cgi-bin/user/info/batchget", { user_list: list(100) });
    expect((ok.user_info_list as unknown[]).length).toBe(100);
    expect((await post("/cgi-bin/user/info/batchget", { user_list: list(101) })).errcode).toBe(47001);
    expect((await post("/cgi-bin/user/info/batchget", { user_list: [] })).errcode).toBe(47001);
  });

  it("updateremark stores a remark under 30 characters and refuses 30", async () => {
    const openid = fixtureOpenids()[0] ?? "";
    expect((await post("/cgi-bin/user/info/updateremark", { openid, remark: "🌸".repeat(29) })).errcode).toBe(0);
    expect(sim.followers.remarkOf(openid)).toBe("🌸".repeat(29));
    expect((await post("/cgi-bin/user/info/updateremark", { openid, remark: "x".repeat(30) })).errcode).toBe(47001);
    expect((await get("/cgi-bin/user/info", { openid })).remark).toBe("🌸".repeat(29));
  });
});

describe("cgi-bin/tags", () => {
  it("creates, lists, renames and deletes, with the reserved tag 2 listed and untouchable", async () => {
    const created = await post("/cgi-bin/tags/create", { tag: { name: "广东" } });
    expect(created).toEqual({ tag: { id: 100, name: "广东" } });
    expect((await post("/cgi-bin/tags/create", { tag: { name: "广东" } })).errcode).toBe(45157);
    expect((await post("/cgi-bin/tags/create", { tag: { name: "长".repeat(11) } })).errcode).toBe(45158);
    expect((await post("/cgi-bin/tags/update", { tag: { id: 100, name: "广州" } })).errcode).toBe(0);
    expect((await post("/cgi-bin/tags/update", { tag: { id: 2, name: "x" } })).errcode).toBe(45058);
    expect((await post("/cgi-bin/tags/delete", { tag: { id: 1 } })).errcode).toBe(45058);
    expect((await post("/cgi-bin/tags/delete", { tag: { id: 999 } })).errcode).toBe(45159);
    expect(await get("/cgi-bin/tags/get")).toEqual({
      tags: [
        { id: 2, name: "星标组", count: 0 },
        { id: 100, name: "广州", count: 0 },
      ],
    });
    expect((await post("/cgi-bin/tags/delete", { tag: { id: 100 } })).errcode).toBe(0);
  });

  it("allows 100 tags, not 101", async () => {
    for (let i = 0; i < 100; i++)
      expect((await post("/cgi-bin/tags/create", { tag: { name: `t${i}` } })).tag).toBeDefined();
    expect((await post("/cgi-bin/tags/create", { tag: { name: "one more" } })).errcode).toBe(45056);
  });

  it("tags at most 50 users a call and 20 tags a user; untags; lists a tag's fans and a user's tags", async () => {
    sim.followers.configure({ count: 100, fixtures: false });
    const ids: number[] = [];
    for (let i = 0; i < 21; i++) ids.push((await post("/cgi-bin/tags/create", { tag: { name: `t${i}` } })).tag!.id);
    const openids = (n: number) => Array.from({ length: n }, (_, i) => generatedOpenid(i));
    expect(
      (await post("/cgi-bin/tags/members/batchtagging", { tagid: ids[0], openid_list: openids(51) })).errcode,
    ).toBe(40032);
    expect((await post("/cgi-bin/tags/members/batchtagging", { tagid: 999, openid_list: openids(1) })).errcode).toBe(
      45159,
    );
    expect(
      (
        await post("/cgi-bin/tags/members/batchtagging", {
          tagid: ids[0],
          openid_list: ["oOtherAccount000000000000000"],
        })
      ).errcode,
    ).toBe(49003);
    expect(
      (await post("/cgi-bin/tags/members/batchtagging", { tagid: ids[0], openid_list: openids(50) })).errcode,
    ).toBe(0);
    for (const id of ids.slice(1, 20)) {
      await post("/cgi-bin/tags/members/batchtagging", { tagid: id, openid_list: [generatedOpenid(0)] });
    }
    expect(
      (await post("/cgi-bin/tags/members/batchtagging", { tagid: ids[20], openid_list: openids(2) })).errcode,
    ).toBe(45059);
    expect(sim.followers.tagsOf(generatedOpenid(1))).toEqual([ids[0]]);
    expect((await post("/cgi-bin/tags/getidlist", { openid: generatedOpenid(0) })).tagid_list).toHaveLength(20);
    const fans = await post("/cgi-bin/user/tag/get", { tagid: ids[0], next_openid: "" });
    expect(fans).toMatchObject({ count: 50, next_openid: generatedOpenid(49) });
    await post("/cgi-bin/tags/members/batchuntagging", { tagid: ids[0], openid_list: openids(50) });
    expect(sim.followers.tagsOf(generatedOpenid(1))).toEqual([]);
  });

  it("refuses to delete a tag with more than 100,000 fans", async () => {
    const id = (await post("/cgi-bin/tags/create", { tag: { name: "big" } })).tag!.id;
    sim.followers.inflateTag(id, 100_001);
    expect((await post("/cgi-bin/tags/delete", { tag: { id } })).errcode).toBe(45057);
  });
});

describe("blacklist", () => {
  it("blocks at most 20 a call, lists and unblocks", async () => {
    sim.followers.configure({ count: 30, fixtures: false });
    const openids = (n: number) => Array.from({ length: n }, (_, i) => generatedOpenid(i));
    expect((await post("/cgi-bin/tags/members/batchblacklist", { openid_list: openids(21) })).errcode).toBe(40032);
    expect((await post("/cgi-bin/tags/members/batchblacklist", { openid_list: ["bad"] })).errcode).toBe(40003);
    expect((await post("/cgi-bin/tags/members/batchblacklist", { openid_list: openids(3) })).errcode).toBe(0);
    expect(await post("/cgi-bin/tags/members/getblacklist", { begin_openid: "" })).toMatchObject({
      total: 3,
      count: 3,
      data: { openid: openids(3) },
    });
    await post("/cgi-bin/tags/members/batchunblacklist", { openid_list: [generatedOpenid(1)] });
    expect(sim.followers.isBlacklisted(generatedOpenid(1))).toBe(false);
    expect(sim.followers.isBlacklisted(generatedOpenid(2))).toBe(true);
  });
});

describe("HTTP controls", () => {
  it("configure, unsubscribe and read the state over HTTP; bad input is a 400", async () => {
    const control = (path: string, body: unknown) =>
      fetch(`${sim.url}${path}`, { method: "POST", body: JSON.stringify(body) });
    expect((await control("/__sim/followers/configure", { count: 12, fixtures: false })).status).toBe(200);
    expect((await control("/__sim/followers/unsubscribe", { openids: [generatedOpenid(3)] })).status).toBe(200);
    const state = (await (await fetch(`${sim.url}/__sim/followers`)).json()) as { total: number; count: number };
    expect(state).toMatchObject({ total: 11, count: 12 });
    expect((await control("/__sim/followers/configure", { count: -1 })).status).toBe(400);
    const openid = (await (await fetch(`${sim.url}/__sim/followers/openid?index=2`)).json()) as { openid: string };
    expect(openid.openid).toBe(generatedOpenid(2));
  });

  it("scripted failures apply to these routes too", async () => {
    sim.failNext("/cgi-bin/user/get", { kind: "busy" });
    expect((await get("/cgi-bin/user/get")).errcode).toBe(-1);
    expect((await get("/cgi-bin/user/get")).total).toBe(5);
  });
});
