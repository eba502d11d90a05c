// Channel QR codes against the simulator, on SQLite and PostgreSQL: made on WeChat then kept; refused
// before calling when a limit or our own uniqueness says no; counted from the pushes that name them.
import { beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { useLoginWorld, type LoginWorld } from "@/test/support/world";
import { simulatorCgiClient } from "@/test/support/followers/clients";
import { AppError } from "@/lib/errors";
import { WeChatApiError } from "@/lib/wechat/errors";
import { WeChatQrCodes } from "@/lib/wechat/qrcode";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import { SIM_DEFAULTS } from "@/simulator/server";
import { createQrCode, getQrCode, listQrCodes, qrCodeStats, type QrDeps } from "./qrcodes";

const APP_ID = SIM_DEFAULTS.appId;
const STAFF = "admin@example.com";

forEachDatabase((_kind, database) => {
  const world = useLoginWorld(database);
  let w: LoginWorld;
  let deps: QrDeps;

  beforeEach(async () => {
    w = world();
    await w.db.qrCode.deleteMany();
    await w.db.weChatEvent.deleteMany();
    await w.db.tag.deleteMany();
    deps = { db: w.db, wechat: new WeChatQrCodes(simulatorCgiClient(w.sim)), appId: APP_ID, now: w.clock.now };
  });
  const creates = () => w.sim.requests().filter((r) => r.path === "/cgi-bin/qrcode/create");
  const caught = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );

  it("makes a permanent and a temporary code on WeChat and keeps scene, ticket, url and expiry", async () => {
    const poster = await createQrCode(
      deps,
      { name: "地铁海报", scene: "poster-2026", action_name: "QR_LIMIT_STR_SCENE" },
      STAFF,
    );
    expect(poster).toMatchObject({
      scene: "poster-2026",
      action: "QR_LIMIT_STR_SCENE",
      expiresAt: null,
      createdBy: STAFF,
    });
    const row = await w.db.qrCode.findUniqueOrThrow({ where: { id: poster.id } });
    expect(w.sim.qrcodes.find(row.ticket)).toMatchObject({ scene: "poster-2026", url: poster.url });

    const booth = await createQrCode(
      deps,
      { name: "展会", scene: "booth", action_name: "QR_STR_SCENE", expire_seconds: 86_400 },
      STAFF,
    );
    expect(new Date(booth.expiresAt!).getTime() - w.clock.now().getTime()).toBe(86_400_000);
    expect((await listQrCodes(deps)).map((c) => c.scene).sort()).toEqual(["booth", "poster-2026"]);
    expect((await getQrCode(deps, booth.id)).name).toBe("展会");
  });

  it("refuses a used scene (409), an unknown tag (404) and WeChat's limits before calling", async () => {
    await createQrCode(deps, { name: "a", scene: "dup", action_name: "QR_LIMIT_STR_SCENE" }, STAFF);
    const calls = creates().length;
    expect(
      ((await caught(createQrCode(deps, { name: "b", scene: "dup", action_name: "QR_STR_SCENE" }, STAFF))) as AppError)
        .code,
    ).toBe("qrcode_scene_exists");
    expect(
      (
        (await caught(
          createQrCode(deps, { name: "b", scene: "t", action_name: "QR_STR_SCENE", tagId: 999 }, STAFF),
        )) as AppError
      ).code,
    ).toBe("tag_not_found");
    const tooLong = await caught(
      createQrCode(deps, { name: "b", scene: "x".repeat(65), action_name: "QR_LIMIT_STR_SCENE" }, STAFF),
    );
    expect((tooLong as WeChatApiError).errcode).toBe(40097);
    const expiry = await caught(
      createQrCode(deps, { name: "b", scene: "y", action_name: "QR_STR_SCENE", expire_seconds: 2_592_001 }, STAFF),
    );
    expect((expiry as WeChatApiError).errcode).toBe(40097);
    expect(creates().length).toBe(calls);
    expect(await w.db.qrCode.count()).toBe(1);
  });

  it("does not keep a code WeChat refused", async () => {
    w.sim.qrcodes.extraPermanent = 100_000;
    const error = await caught(
      createQrCode(deps, { name: "a", scene: "full", action_name: "QR_LIMIT_STR_SCENE" }, STAFF),
    );
    expect((error as WeChatApiError).errcode).toBe(45029);
    expect(await w.db.qrCode.count()).toBe(0);
  });

  it("counts scans, new followers and who still follows from the pushes naming the scene, per Beijing day", async () => {
    const code = await createQrCode(deps, { name: "海报", scene: "poster", action_name: "QR_LIMIT_STR_SCENE" }, STAFF);
    const now = w.clock.now().getTime();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3600_000);
    const push = (key: string, openid: string, event: string, eventKey: string, when: Date) => ({
      dedupeKey: key,
      openid,
      msgType: "event",
      event,
      eventKey,
      payload: "<xml/>",
      createdAt: when,
      status: "done",
    });
    await w.db.weChatEvent.createMany({
      data: [
        push("1", "oA", "subscribe", "qrscene_poster", at(30)),
        push("2", "oB", "subscribe", "qrscene_poster", at(2)),
        push("3", "oA", "SCAN", "poster", at(1)),
        push("4", "oC", "subscribe", "qrscene_other", at(1)),
        push("5", "oD", "subscribe", "", at(1)),
        push("6", "oE", "SCAN", "qrscene_poster", at(1)),
      ],
    });
    const a = await findOrCreatePersonByOpenid(w.db, APP_ID, "oA", w.clock.now());
    const b = await findOrCreatePersonByOpenid(w.db, APP_ID, "oB", w.clock.now());
    await w.db.user.update({ where: { id: a }, data: { subscribed: true } });
    await w.db.user.update({ where: { id: b }, data: { subscribed: false } });

    const stats = await qrCodeStats(deps, code.scene);
    expect(stats).toMatchObject({ scans: 3, newFollowers: 2, stillFollowing: 1 });
    expect(stats.daily.reduce((n, d) => n + d.scans, 0)).toBe(3);
    expect(stats.daily.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.day))).toBe(true);
  });
});
