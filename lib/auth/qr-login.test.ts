// Sign in on a PC by scanning, on both databases against the simulator: the code is bound to the browser
// that asked; the scan's push names the openid once and gets the short reply; only that browser's poll
// signs in, once, as the person a phone login finds; a code used from another browser signs nobody in;
// an expired code cannot be scanned and says so.
import { beforeEach, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { useLoginWorld, type LoginWorld } from "@/test/support/world";
import { simulatorCgiClient } from "@/test/support/followers/clients";
import { AppError } from "@/lib/errors";
import { WeChatFollowers } from "@/lib/wechat/followers";
import { WeChatQrCodes } from "@/lib/wechat/qrcode";
import {
  QR_LOGIN_REPLY,
  QR_LOGIN_TTL_SECONDS,
  pollQrLogin,
  scanQrLogin,
  startQrLogin,
  type QrLoginDeps,
} from "./qr-login";

forEachDatabase((_kind, database) => {
  const world = useLoginWorld(database);
  let w: LoginWorld;
  let deps: QrLoginDeps;

  beforeEach(async () => {
    w = world();
    await w.db.qrLogin.deleteMany();
    const cgi = simulatorCgiClient(w.sim);
    deps = { ...w.deps, qrcodes: new WeChatQrCodes(cgi), followers: new WeChatFollowers(cgi) };
  });

  const sceneOf = async (id: string) => (await w.db.qrLogin.findUniqueOrThrow({ where: { id } })).scene;
  const scan = (scene: string, openid: string, event: "subscribe" | "SCAN" = "SCAN") =>
    scanQrLogin(
      w.db,
      { msgType: "event", event, eventKey: event === "subscribe" ? `qrscene_${scene}` : scene, openid },
      w.clock.now(),
    );
  const notFound = async (p: Promise<unknown>) =>
    expect(
      (
        (await p.then(
          () => undefined,
          (e: unknown) => e,
        )) as AppError
      ).code,
    ).toBe("qr_login_not_found");

  it("signs in the browser that asked, once, as the person the phone login made", async () => {
    const phoneUser = await w.login("snsapi_base", "zhangsan");
    const openid = (await w.db.identity.findFirstOrThrow({ where: { userId: phoneUser } })).openid;

    const started = await startQrLogin(deps, "203.0.113.9");
    expect(started.qrUrl).toMatch(/^http:\/\/weixin\.qq\.com\/q\//);
    const scene = await sceneOf(started.id);
    expect(scene).toMatch(/^login_[A-Za-z0-9]{32}$/);
    expect(await pollQrLogin(deps, started.id, started.binding)).toEqual({ status: "pending" });

    expect(await scan(scene, openid)).toBe(QR_LOGIN_REPLY);
    expect(await scan(scene, "oSomeoneElse")).toBeNull();

    // Another browser (no cookie, or another one) learns nothing and signs nobody in.
    await notFound(pollQrLogin(deps, started.id, undefined));
    await notFound(pollQrLogin(deps, started.id, "another-browser-binding-value-000000000000"));
    expect((await w.db.qrLogin.findUniqueOrThrow({ where: { id: started.id } })).signedInAt).toBeNull();

    expect(await pollQrLogin(deps, started.id, started.binding)).toEqual({ status: "signed_in", userId: phoneUser });
    expect(await pollQrLogin(deps, started.id, started.binding)).toEqual({ status: "signed_in" });
  });

  it("a follow through the code (subscribe) counts as the scan, and a new person is made", async () => {
    const started = await startQrLogin(deps, null);
    expect(await scan(await sceneOf(started.id), "oNewOnPc", "subscribe")).toBe(QR_LOGIN_REPLY);
    const polled = await pollQrLogin(deps, started.id, started.binding);
    expect(polled.status).toBe("signed_in");
    expect((await w.db.identity.findFirstOrThrow({ where: { openid: "oNewOnPc" } })).userId).toBe(polled.userId);
  });

  it("an openid met for the first time is found by its unionid (a person known from another app)", async () => {
    const persona = w.sim.users.find((u) => !u.snapshot && u.unionid)!;
    const known = await w.db.user.create({
      data: {
        unionid: persona.unionid!,
        identities: { create: { appid: "wxanotherapp0000001", openid: "oElsewhere" } },
      },
    });
    const started = await startQrLogin(deps, null);
    expect(await scan(await sceneOf(started.id), persona.openid)).toBe(QR_LOGIN_REPLY);
    expect(await pollQrLogin(deps, started.id, started.binding)).toEqual({ status: "signed_in", userId: known.id });
    expect(
      (await w.db.identity.findMany({ where: { userId: known.id }, orderBy: { appid: "asc" } })).map((i) => i.openid),
    ).toContain(persona.openid);
  });

  it("an expired code cannot be scanned and says expired", async () => {
    const started = await startQrLogin(deps, null);
    w.clock.advance(QR_LOGIN_TTL_SECONDS);
    expect(await scan(await sceneOf(started.id), "oLate")).toBeNull();
    expect(await pollQrLogin(deps, started.id, started.binding)).toEqual({ status: "expired" });
  });

  it("other pushes are not sign-ins", async () => {
    expect(await scan("poster", "o1")).toBeNull();
    expect(
      await scanQrLogin(w.db, { msgType: "event", event: "CLICK", eventKey: "login_x", openid: "o1" }, w.clock.now()),
    ).toBeNull();
  });
});
