// Tags, blacklist and remarks against the simulator, on SQLite and PostgreSQL: WeChat first, our
// database only on success; a failure leaves both as they were; every limit refused before calling.
import { beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { useLoginWorld, type LoginWorld } from "@/test/support/world";
import type { CgiClient } from "@/lib/wechat/cgi";
import { WeChatApiError } from "@/lib/wechat/errors";
import { WeChatFollowers } from "@/lib/wechat/followers";
import { generatedOpenid } from "@/simulator/cgi/followers";
import { SIM_DEFAULTS } from "@/simulator/server";
import { blockUsers, syncBlacklist, unblockUsers } from "./blacklist";
import { BulkPartialError, type FollowerDeps } from "./deps";
import { BulkRefusedError, toAppError } from "@/lib/errors";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import { getFollowerPanel } from "./panel";
import { updateRemark } from "./remark";
import { syncFollowers } from "./sync";
import { createTag, deleteTag, renameTag, tagUsers, untagUsers } from "./tags";
import { clearFollowerTables, simulatorCgiClient } from "@/test/support/followers/clients";

const APP_ID = SIM_DEFAULTS.appId;

forEachDatabase((_kind, database) => {
  const world = useLoginWorld(database);
  let w: LoginWorld;
  let deps: FollowerDeps;

  beforeEach(async () => {
    w = world();
    await clearFollowerTables(w.db);
    deps = { db: w.db, wechat: new WeChatFollowers(simulatorCgiClient(w.sim)), appId: APP_ID, now: w.clock.now };
  });

  /** Syncs `count` generated followers (no fixtures) and returns their user ids in list order. */
  async function followers(count: number): Promise<string[]> {
    w.sim.followers.configure({ count, fixtures: false });
    await syncFollowers({ ...deps, holder: "test" });
    const rows = await w.db.identity.findMany({ where: { appid: APP_ID }, orderBy: { openid: "asc" } });
    return rows.map((r) => r.userId);
  }
  const calls = (path: string) => w.sim.requests().filter((r) => r.path === path);

  async function refused(promise: Promise<unknown>, errcode: number): Promise<void> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WeChatApiError);
    expect((error as WeChatApiError).errcode).toBe(errcode);
  }

  it("creates, renames and deletes a tag on WeChat and here", async () => {
    const tag = await createTag(deps, "广东");
    expect(await w.db.tag.findUnique({ where: { id: tag.id } })).toMatchObject({ name: "广东" });
    await renameTag(deps, tag.id, "广州");
    expect(w.sim.followers.snapshot().tags).toContainEqual({ id: tag.id, name: "广州", count: 0 });
    expect((await w.db.tag.findUniqueOrThrow({ where: { id: tag.id } })).name).toBe("广州");
    await deleteTag(deps, tag.id);
    expect(await w.db.tag.count({ where: { id: tag.id } })).toBe(0);
  });

  it("refuses the 101st tag, long names and reserved tags before calling WeChat", async () => {
    await w.db.tag.createMany({ data: Array.from({ length: 100 }, (_, i) => ({ id: 100 + i, name: `t${i}` })) });
    await w.db.tag.create({ data: { id: 2, name: "星标组" } });
    w.sim.clearRequests();
    await refused(createTag(deps, "one more"), 45056);
    await refused(renameTag(deps, 100, "三十一个字节的名字三十一个字节的"), 45158);
    await refused(renameTag(deps, 2, "x"), 45058);
    await refused(deleteTag(deps, 2), 45058);
    expect(w.sim.requests().filter((r) => r.path.startsWith("/cgi-bin/tags"))).toEqual([]);
  });

  it("a refused rename leaves both sides as they were and says why", async () => {
    const tag = await createTag(deps, "北京");
    w.sim.failNext("/cgi-bin/tags/update", { kind: "errcode", errcode: 45157 });
    await refused(renameTag(deps, tag.id, "上海"), 45157);
    expect((await w.db.tag.findUniqueOrThrow({ where: { id: tag.id } })).name).toBe("北京");
    expect(w.sim.followers.snapshot().tags).toContainEqual({ id: tag.id, name: "北京", count: 0 });
  });

  it("tags and untags people 50 at a time; shows them on the person's panel", async () => {
    const ids = await followers(120);
    const tag = await createTag(deps, "老客户");
    expect(await tagUsers(deps, tag.id, ids)).toEqual({ applied: 120 });
    expect(calls("/cgi-bin/tags/members/batchtagging").map((r) => JSON.parse(r.body).openid_list.length)).toEqual([
      50, 50, 20,
    ]);
    expect(w.sim.followers.tagsOf(generatedOpenid(119))).toEqual([tag.id]);
    expect(await w.db.userTag.count({ where: { tagId: tag.id } })).toBe(120);
    expect((await w.db.tag.findUniqueOrThrow({ where: { id: tag.id } })).count).toBe(120);
    const panel = await getFollowerPanel(w.db, APP_ID, ids[0]!);
    expect(panel?.tags).toEqual([{ id: tag.id, name: "老客户" }]);
    expect(panel?.openid).toBe(generatedOpenid(0));

    await untagUsers(deps, tag.id, ids.slice(0, 10));
    expect(w.sim.followers.tagsOf(generatedOpenid(0))).toEqual([]);
    expect(await w.db.userTag.count({ where: { tagId: tag.id } })).toBe(110);
  });

  it("refuses a 21st tag for someone before calling WeChat", async () => {
    const [id] = await followers(1);
    for (let i = 0; i < 21; i++) await createTag(deps, `t${i}`);
    const tags = await w.db.tag.findMany({ where: { id: { gte: 100 } }, orderBy: { id: "asc" } });
    for (const tag of tags.slice(0, 20)) await tagUsers(deps, tag.id, [id!]);
    w.sim.clearRequests();
    await refused(tagUsers(deps, tags[20]!.id, [id!]), 45059);
    expect(calls("/cgi-bin/tags/members/batchtagging")).toEqual([]);
  });

  it("a failure part-way keeps what WeChat accepted, here too, and says how many", async () => {
    const ids = await followers(70);
    const tag = await createTag(deps, "分批");
    const inner = simulatorCgiClient(w.sim);
    let tagging = 0;
    // The second batch hits the daily quota.
    const quotaOnSecond: CgiClient = {
      call: (call) =>
        call.path === "/cgi-bin/tags/members/batchtagging" && ++tagging === 2
          ? Promise.reject(new WeChatApiError({ errcode: 45009, errmsg: "quota", endpoint: call.path }))
          : inner.call(call),
    };
    const error = await tagUsers({ ...deps, wechat: new WeChatFollowers(quotaOnSecond) }, tag.id, ids).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BulkPartialError);
    expect((error as BulkPartialError).applied).toBe(50);
    expect(((error as BulkPartialError).cause as WeChatApiError).errcode).toBe(45009);
    expect(await w.db.userTag.count({ where: { tagId: tag.id } })).toBe(50);
    expect(w.sim.followers.tagsOf(generatedOpenid(49))).toEqual([tag.id]);
    expect(w.sim.followers.tagsOf(generatedOpenid(50))).toEqual([]);
  });

  it("blocks 20 at a time, unblocks, and a refusal changes nothing", async () => {
    const ids = await followers(25);
    expect(await blockUsers(deps, ids)).toEqual({ applied: 25 });
    expect(calls("/cgi-bin/tags/members/batchblacklist").map((r) => JSON.parse(r.body).openid_list.length)).toEqual([
      20, 5,
    ]);
    expect(await w.db.user.count({ where: { blacklisted: true } })).toBe(25);
    // A blocked person's sessions end on every device.
    expect(await w.db.user.count({ where: { id: { in: ids }, sessionsValidAfter: deps.now() } })).toBe(25);
    expect(w.sim.followers.isBlacklisted(generatedOpenid(24))).toBe(true);
    await unblockUsers(deps, ids.slice(0, 5));
    expect(await w.db.user.count({ where: { blacklisted: true } })).toBe(20);

    w.sim.failNext("/cgi-bin/tags/members/batchunblacklist", { kind: "errcode", errcode: 49003 });
    await refused(unblockUsers(deps, ids.slice(5, 6)), 49003);
    expect((await w.db.user.findUniqueOrThrow({ where: { id: ids[5]! } })).blacklisted).toBe(true);
    expect(w.sim.followers.isBlacklisted(generatedOpenid(5))).toBe(true);
  });

  it("a bulk block with one person WeChat does not take names them and blocks the others", async () => {
    const ids = await followers(3);
    // Known to us from a push (the README's o_demo), but not a follower WeChat knows.
    const stranger = await w.db.$transaction((tx) => findOrCreatePersonByOpenid(tx, deps.appId, "o_demo", deps.now()));
    const error = await blockUsers(deps, [...ids, stranger]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkRefusedError);
    expect((error as BulkRefusedError).applied).toBe(3);
    expect((error as BulkRefusedError).refused.map((r) => [r.userId, r.label, r.error.errcode])).toEqual([
      [stranger, "o_demo", 40003],
    ]);
    expect(await w.db.user.count({ where: { id: { in: ids }, blacklisted: true } })).toBe(3);
    expect((await w.db.user.findUniqueOrThrow({ where: { id: stranger } })).blacklisted).toBe(false);
    expect(w.sim.followers.isBlacklisted(generatedOpenid(2))).toBe(true);
    // Staff read who and why (the console adds how many went through, from `applied`).
    expect(toAppError(error, "rejected").userMessage).toBe(
      "o_demo：微信不认这个 openid：此人可能不是本公众号的用户（例如示例或测试数据），数据未修改。（微信错误码 40003）",
    );
  });

  it("syncs the blacklist: flags who WeChat lists, clears who it does not", async () => {
    const ids = await followers(10);
    await w.db.user.update({ where: { id: ids[9]! }, data: { blacklisted: true } });
    await deps.wechat.blacklist([generatedOpenid(1), generatedOpenid(2)]);
    const result = await syncBlacklist({ ...deps, holder: "test" });
    expect(result).toMatchObject({ listed: 2, added: 2, removed: 1 });
    const flagged = await w.db.user.findMany({ where: { blacklisted: true }, select: { id: true } });
    expect(flagged.map((u) => u.id).sort()).toEqual([ids[1]!, ids[2]!].sort());
    expect(await w.db.syncRun.findFirst({ where: { kind: "blacklist" } })).toMatchObject({ status: "done", listed: 2 });
  });

  it("updates the remark on WeChat and here; 30 characters are refused before calling; a refusal changes nothing", async () => {
    const [id] = await followers(1);
    expect(await updateRemark(deps, id!, "  重要客户🌸 ")).toBe("重要客户🌸");
    expect(w.sim.followers.remarkOf(generatedOpenid(0))).toBe("重要客户🌸");
    expect((await w.db.user.findUniqueOrThrow({ where: { id: id! } })).remark).toBe("重要客户🌸");

    w.sim.clearRequests();
    await refused(updateRemark(deps, id!, "字".repeat(30)), 47001);
    expect(calls("/cgi-bin/user/info/updateremark")).toEqual([]);

    w.sim.failNext("/cgi-bin/user/info/updateremark", { kind: "errcode", errcode: 40003 });
    await refused(updateRemark(deps, id!, "新备注"), 40003);
    expect((await w.db.user.findUniqueOrThrow({ where: { id: id! } })).remark).toBe("重要客户🌸");
  });
});
