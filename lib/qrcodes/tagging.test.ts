// A code's tag, against the simulator on both databases: everyone who followed or scanned through it gets
// the tag on WeChat and in our mirror, once; a second run calls nothing; other codes' people are untouched.
import { beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { useLoginWorld, type LoginWorld } from "@/test/support/world";
import { clearFollowerTables, simulatorCgiClient } from "@/test/support/followers/clients";
import { createTag } from "@/lib/followers/tags";
import type { FollowerDeps } from "@/lib/followers/deps";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import { WeChatFollowers } from "@/lib/wechat/followers";
import { SIM_DEFAULTS } from "@/simulator/server";
import { tagScans } from "./qrcodes";

const APP_ID = SIM_DEFAULTS.appId;

forEachDatabase((_kind, database) => {
  const world = useLoginWorld(database);
  let w: LoginWorld;
  let deps: FollowerDeps;

  beforeEach(async () => {
    w = world();
    await clearFollowerTables(w.db);
    await w.db.qrCode.deleteMany();
    await w.db.weChatEvent.deleteMany();
    deps = { db: w.db, wechat: new WeChatFollowers(simulatorCgiClient(w.sim)), appId: APP_ID, now: w.clock.now };
  });

  it("tags the people a code brought, on WeChat and here, once", async () => {
    const tag = await createTag(deps, "地铁");
    const [a, b, c] = w.sim.users.filter((u) => !u.snapshot).map((u) => u.openid);
    const code = (scene: string, tagId: number | null) => ({
      appId: APP_ID,
      name: scene,
      scene,
      action: "QR_LIMIT_STR_SCENE",
      ticket: `t-${scene}`,
      url: `http://weixin.qq.com/q/${scene}`,
      tagId,
      createdAt: w.clock.now(),
      createdBy: "admin@example.com",
    });
    await w.db.qrCode.createMany({ data: [code("metro", tag.id), code("plain", null)] });
    const person = (openid: string) => findOrCreatePersonByOpenid(w.db, APP_ID, openid, w.clock.now());
    const [ua, ub, uc] = [await person(a!), await person(b!), await person(c!)];
    const event = (key: string, userId: string, openid: string, event: string, eventKey: string) => ({
      dedupeKey: key,
      openid,
      userId,
      msgType: "event",
      event,
      eventKey,
      payload: "<xml/>",
      createdAt: w.clock.now(),
      status: "done",
    });
    await w.db.weChatEvent.createMany({
      data: [
        event("1", ua, a!, "subscribe", "qrscene_metro"),
        event("2", ub, b!, "SCAN", "metro"),
        event("3", uc, c!, "subscribe", "qrscene_plain"),
      ],
    });

    const since = new Date(w.clock.now().getTime() - 3600_000);
    expect(await tagScans(deps, since)).toEqual({ tagged: 2, refused: 0 });
    expect(w.sim.followers.tagsOf(a!)).toContain(tag.id);
    expect(w.sim.followers.tagsOf(b!)).toContain(tag.id);
    expect(w.sim.followers.tagsOf(c!)).not.toContain(tag.id);
    expect((await w.db.userTag.findMany({ where: { tagId: tag.id } })).map((t) => t.userId).sort()).toEqual(
      [ua, ub].sort(),
    );

    w.sim.clearRequests();
    expect(await tagScans(deps, since)).toEqual({ tagged: 0, refused: 0 });
    expect(w.sim.requests().filter((r) => r.path.startsWith("/cgi-bin/tags"))).toEqual([]);
  });
});
