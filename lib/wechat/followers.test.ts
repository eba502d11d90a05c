import { describe, expect, it } from "vitest";
import type { CgiCall, CgiClient } from "./cgi";
import { WeChatApiError } from "./errors";
import { parseWeChatBody } from "./http";
import { MAX_TAGS_PER_USER, WeChatFollowers, utf8Bytes } from "./followers";

/** Answers every call with `body` (through the call's schema, as the real client does) and records it. */
function fakeCgi(body: unknown = { errcode: 0, errmsg: "ok" }) {
  const calls: CgiCall<unknown>[] = [];
  const client: CgiClient = {
    async call<T>(call: CgiCall<T>): Promise<T> {
      calls.push(call as CgiCall<unknown>);
      return parseWeChatBody(JSON.stringify(body), call.schema, call.path);
    },
  };
  return { calls, wechat: new WeChatFollowers(client) };
}

const openid = (i: number) => `oSimFollower${String(i).padStart(16, "0")}`;
const openids = (n: number) => Array.from({ length: n }, (_, i) => openid(i));

async function refused(promise: Promise<unknown>, errcode: number): Promise<WeChatApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeChatApiError);
  expect((error as WeChatApiError).errcode).toBe(errcode);
  expect((error as WeChatApiError).errmsg).toMatch(/^refused before calling WeChat/);
  return error as WeChatApiError;
}

describe("listFollowers", () => {
  it("reads a page and says the list goes on", async () => {
    const { wechat, calls } = fakeCgi({ total: 3, count: 2, data: { openid: openids(2) }, next_openid: openid(1) });
    const page = await wechat.listFollowers(openid(0));
    expect(page).toEqual({ total: 3, openids: openids(2), nextOpenid: openid(1), done: false });
    expect(calls[0]).toMatchObject({ method: "GET", path: "/cgi-bin/user/get", query: { next_openid: openid(0) } });
    expect(calls[0]?.idempotent).toBe(true);
  });

  it("ends on a page with count 0 even when WeChat still names a next_openid", async () => {
    const { wechat } = fakeCgi({ total: 3, count: 0, next_openid: openid(2) });
    expect((await wechat.listFollowers(openid(2))).done).toBe(true);
  });

  it("asks without next_openid for the first page", async () => {
    const { wechat, calls } = fakeCgi({ total: 0, count: 0, next_openid: "" });
    await wechat.listFollowers();
    expect(calls[0]?.query).toEqual({});
  });
});

describe("getFollowers (batchget)", () => {
  it("maps a follower's fields and an unsubscribed one", async () => {
    const { wechat, calls } = fakeCgi({
      user_info_list: [
        {
          subscribe: 1,
          openid: openid(0),
          language: "zh_CN",
          subscribe_time: 1_600_000_000,
          unionid: "oSimUnion0000000000000000000",
          remark: "老客户",
          groupid: 0,
          tagid_list: [100, 101],
          subscribe_scene: "ADD_SCENE_QR_CODE",
          qr_scene: 98765,
          qr_scene_str: "",
        },
        { subscribe: 0, openid: openid(1) },
      ],
    });
    const infos = await wechat.getFollowers(openids(2), "en");
    expect(calls[0]?.body).toEqual({ user_list: openids(2).map((o) => ({ openid: o, lang: "en" })) });
    expect(infos[0]).toEqual({
      subscribed: true,
      openid: openid(0),
      unionid: "oSimUnion0000000000000000000",
      language: "zh_CN",
      subscribedAt: new Date(1_600_000_000_000),
      remark: "老客户",
      tagIds: [100, 101],
      scene: "ADD_SCENE_QR_CODE",
      qrScene: "98765",
    });
    expect(infos[1]).toMatchObject({ subscribed: false, openid: openid(1), unionid: null, tagIds: [] });
  });

  it("refuses 101 openids, none, duplicates and malformed ones without calling", async () => {
    const { wechat, calls } = fakeCgi();
    await refused(wechat.getFollowers(openids(101)), 40032);
    await refused(wechat.getFollowers([]), 40032);
    await refused(wechat.getFollowers([openid(1), openid(1)]), 40032);
    await refused(wechat.getFollowers(["a b"]), 40003);
    expect(calls).toHaveLength(0);
  });
});

describe("remarks", () => {
  it("sends a trimmed remark of 29 characters (emoji count as one)", async () => {
    const { wechat, calls } = fakeCgi();
    expect(await wechat.updateRemark(openid(0), ` ${"😀".repeat(29)} `)).toBe("😀".repeat(29));
    expect(calls[0]?.body).toEqual({ openid: openid(0), remark: "😀".repeat(29) });
  });

  it("refuses 30 characters without calling", async () => {
    const { wechat, calls } = fakeCgi();
    await refused(wechat.updateRemark(openid(0), "备".repeat(30)), 47001);
    expect(calls).toHaveLength(0);
  });
});

describe("tags", () => {
  const existing = (n: number) => [
    { id: 2, name: "星标组" },
    ...Array.from({ length: n }, (_, i) => ({ id: 100 + i, name: `t${i}` })),
  ];

  it("creates a tag (not retried: create is not idempotent)", async () => {
    const { wechat, calls } = fakeCgi({ tag: { id: 100, name: "广东" } });
    expect(await wechat.createTag(" 广东 ", existing(0))).toEqual({ id: 100, name: "广东" });
    expect(calls[0]).toMatchObject({
      path: "/cgi-bin/tags/create",
      body: { tag: { name: "广东" } },
      idempotent: false,
    });
  });

  it("refuses the 101st tag, a duplicate, a name over 30 bytes or empty, without calling", async () => {
    const { wechat, calls } = fakeCgi();
    await refused(wechat.createTag("new", existing(100)), 45056);
    // 99 of its own plus the reserved 星标组: one more is allowed, so this one is refused for its name only.
    await refused(wechat.createTag("t3", existing(99)), 45157);
    expect(utf8Bytes("一二三四五六七八九十a")).toBe(31);
    await refused(wechat.createTag("一二三四五六七八九十a", existing(0)), 45158);
    await refused(wechat.createTag("  ", existing(0)), 45158);
    expect(calls).toHaveLength(0);
    // Exactly 30 bytes is fine.
    const ok = fakeCgi({ tag: { id: 101, name: "一二三四五六七八九十" } });
    await ok.wechat.createTag("一二三四五六七八九十", existing(99));
    expect(ok.calls).toHaveLength(1);
  });

  it("refuses to rename or delete the reserved tags 0, 1 and 2", async () => {
    const { wechat, calls } = fakeCgi();
    for (const id of [0, 1, 2]) {
      await refused(wechat.renameTag(id, "x"), 45058);
      await refused(wechat.deleteTag(id), 45058);
    }
    await refused(wechat.renameTag(100, "一二三四五六七八九十a"), 45158);
    expect(calls).toHaveLength(0);
    const ok = fakeCgi();
    await ok.wechat.renameTag(100, "新名字");
    await ok.wechat.deleteTag(100);
    expect(ok.calls.map((c) => [c.path, c.body])).toEqual([
      ["/cgi-bin/tags/update", { tag: { id: 100, name: "新名字" } }],
      ["/cgi-bin/tags/delete", { tag: { id: 100 } }],
    ]);
  });

  it("tags at most 50 at once and refuses a 21st tag for someone, without calling", async () => {
    const { wechat, calls } = fakeCgi();
    await refused(wechat.tagFollowers(100, openids(51)), 40032);
    await refused(wechat.untagFollowers(100, openids(51)), 40032);
    const full = Array.from({ length: MAX_TAGS_PER_USER }, (_, i) => 200 + i);
    await refused(wechat.tagFollowers(100, openids(2), new Map([[openid(1), full]])), 45059);
    expect(calls).toHaveLength(0);
    // Already carrying the tag: tagging again adds nothing, so it is allowed.
    const ok = fakeCgi();
    await ok.wechat.tagFollowers(200, openids(50), new Map([[openid(1), full]]));
    expect(ok.calls[0]?.body).toEqual({ openid_list: openids(50), tagid: 200 });
  });

  it("lists tags and a user's tag ids", async () => {
    expect(await fakeCgi({ tags: [{ id: 2, name: "星标组", count: 0 }] }).wechat.listTags()).toEqual([
      { id: 2, name: "星标组", count: 0 },
    ]);
    expect(await fakeCgi({ tagid_list: [100] }).wechat.followerTagIds(openid(0))).toEqual([100]);
  });
});

describe("blacklist", () => {
  it("blocks and unblocks at most 20 at once, refusing 21 without calling", async () => {
    const { wechat, calls } = fakeCgi();
    await refused(wechat.blacklist(openids(21)), 40032);
    await refused(wechat.unblacklist(openids(21)), 40032);
    expect(calls).toHaveLength(0);
    await wechat.blacklist(openids(20));
    await wechat.unblacklist(openids(1));
    expect(calls.map((c) => c.path)).toEqual([
      "/cgi-bin/tags/members/batchblacklist",
      "/cgi-bin/tags/members/batchunblacklist",
    ]);
  });

  it("pages the blacklist with begin_openid", async () => {
    const { wechat, calls } = fakeCgi({ total: 1, count: 1, data: { openid: [openid(3)] }, next_openid: openid(3) });
    expect(await wechat.listBlacklist()).toMatchObject({ total: 1, openids: [openid(3)], done: false });
    expect(calls[0]?.body).toEqual({ begin_openid: "" });
  });
});

describe("errors from WeChat", () => {
  it("arrive as WeChatApiError with the errcode", async () => {
    const { wechat } = fakeCgi({ errcode: 45157, errmsg: "tag name already exists" });
    const error = await wechat.createTag("x", []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeChatApiError);
    expect((error as WeChatApiError).errcode).toBe(45157);
  });
});
