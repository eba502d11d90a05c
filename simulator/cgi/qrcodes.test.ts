import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readFields } from "../push";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";

let sim: Simulator;
let token = "";
const pushed: string[] = [];
beforeAll(async () => {
  sim = await startSimulator({
    startTime: START_TIME,
    push: {
      target: "http://app.test/api/wechat/message",
      // The app's side: what WeChat pushed, answered "success".
      fetch: async (_url, init) => {
        pushed.push(String(init?.body ?? ""));
        return new Response("success");
      },
    },
  });
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

type Body = Record<string, unknown> & { errcode?: number; ticket?: string; url?: string; expire_seconds?: number };
async function create(body: unknown): Promise<Body> {
  const res = await fetch(`${sim.url}/cgi-bin/qrcode/create?access_token=${token}`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  return (await res.json()) as Body;
}
const str = (action: string, scene: string, extra = {}) => ({
  action_name: action,
  action_info: { scene: { scene_str: scene } },
  ...extra,
});

describe("cgi-bin/qrcode/create", () => {
  it("makes a temporary code with its expiry (default 60 s) and a new ticket each time", async () => {
    const a = await create(str("QR_STR_SCENE", "login", { expire_seconds: 600 }));
    expect(a).toMatchObject({ expire_seconds: 600, url: expect.stringMatching(/^http:\/\/weixin\.qq\.com\/q\//) });
    expect((await create(str("QR_STR_SCENE", "login"))).expire_seconds).toBe(60);
    expect((await create(str("QR_STR_SCENE", "login"))).ticket).not.toBe(a.ticket);
    expect(sim.qrcodes.find(a.ticket!)?.scene).toBe("login");
    sim.advance(601);
    expect(sim.qrcodes.find(a.ticket!)).toBeUndefined();
  });

  it("gives a permanent code once per scene: asked again, the same ticket", async () => {
    const a = await create(str("QR_LIMIT_STR_SCENE", "poster"));
    expect(a.expire_seconds).toBeUndefined();
    expect((await create(str("QR_LIMIT_STR_SCENE", "poster"))).ticket).toBe(a.ticket);
    expect(
      (await create({ action_name: "QR_LIMIT_SCENE", action_info: { scene: { scene_id: 100000 } } })).ticket,
    ).toBeTruthy();
  });

  it("refuses what WeChat refuses: the scene (40097), the expiry (40097), the 100,001st permanent code (45029)", async () => {
    expect((await create(str("QR_LIMIT_STR_SCENE", "a".repeat(65)))).errcode).toBe(40097);
    expect((await create(str("QR_LIMIT_STR_SCENE", ""))).errcode).toBe(40097);
    expect((await create(str("QR_STR_SCENE", "s", { expire_seconds: 2_592_001 }))).errcode).toBe(40097);
    expect((await create(str("QR_LIMIT_STR_SCENE", "s", { expire_seconds: 60 }))).errcode).toBe(40097);
    expect(
      (await create({ action_name: "QR_LIMIT_SCENE", action_info: { scene: { scene_id: 100001 } } })).errcode,
    ).toBe(40097);
    expect((await create(str("QR_BOGUS", "s"))).errcode).toBe(40097);
    sim.qrcodes.extraPermanent = 99_999;
    expect((await create(str("QR_LIMIT_STR_SCENE", "last"))).ticket).toBeTruthy();
    expect((await create(str("QR_LIMIT_STR_SCENE", "one-more"))).errcode).toBe(45029);
    expect((await create(str("QR_STR_SCENE", "temporary-still-fine"))).ticket).toBeTruthy();
  });

  it("checks the token first", async () => {
    token = "stale";
    expect((await create(str("QR_STR_SCENE", "s"))).errcode).toBe(40001);
  });
});

describe("/__sim/qrcode/scan", () => {
  const scan = (body: unknown) => fetch(`${sim.url}/__sim/qrcode/scan`, { method: "POST", body: JSON.stringify(body) });

  it("someone not following follows through the code (subscribe, qrscene_); a follower pushes SCAN", async () => {
    const { ticket } = await create(str("QR_LIMIT_STR_SCENE", "poster"));
    const openid = sim.users.find((u) => !u.snapshot)!.openid;
    sim.followers.unsubscribe([openid]);
    pushed.length = 0;
    expect((await scan({ openid, ticket })).status).toBe(200);
    expect(readFields(pushed[0]!)).toMatchObject({ Event: "subscribe", EventKey: "qrscene_poster", Ticket: ticket });
    expect(sim.followers.isSubscribed(sim.followers.indexOf(openid)!)).toBe(true);
    expect((await scan({ openid, ticket })).status).toBe(200);
    expect(readFields(pushed[1]!)).toMatchObject({ Event: "SCAN", EventKey: "poster", Ticket: ticket });
  });

  it("an expired or unknown code pushes nothing", async () => {
    const { ticket } = await create(str("QR_STR_SCENE", "login", { expire_seconds: 60 }));
    const openid = sim.users.find((u) => !u.snapshot)!.openid;
    sim.advance(61);
    pushed.length = 0;
    expect((await scan({ openid, ticket })).status).toBe(400);
    expect((await scan({ openid, ticket: "nope" })).status).toBe(400);
    expect(pushed).toEqual([]);
  });
});

describe("showqrcode", () => {
  it("draws a live ticket's code, no token needed; an unknown or expired ticket is 404", async () => {
    const { ticket } = await create(str("QR_STR_SCENE", "login", { expire_seconds: 60 }));
    const image = await fetch(`${sim.url}/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket!)}`);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/svg+xml");
    expect(await image.text()).toMatch(/^<svg /);
    expect((await fetch(`${sim.url}/cgi-bin/showqrcode?ticket=nope`)).status).toBe(404);
    sim.advance(61);
    expect((await fetch(`${sim.url}/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket!)}`)).status).toBe(404);
  });
});
