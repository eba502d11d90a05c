import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";

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

type Body = Record<string, unknown> & { errcode?: number };

async function get(path: string, accessToken = token): Promise<Body> {
  return (await (await fetch(`${sim.url}${path}?access_token=${accessToken}`)).json()) as Body;
}
async function post(path: string, body: unknown): Promise<Body> {
  const res = await fetch(`${sim.url}${path}?access_token=${token}`, { method: "POST", body: JSON.stringify(body) });
  return (await res.json()) as Body;
}
const create = async (button: unknown) => (await post("/cgi-bin/menu/create", { button })).errcode;

const click = (name: string, key = "K") => ({ type: "click", name, key });
const view = (name: string, url: string) => ({ type: "view", name, url });
const parent = (name: string, sub: unknown[]) => ({ name, sub_button: sub });
const openid = () => sim.users.find((u) => !u.snapshot)!.openid;

describe("cgi-bin/menu/create: every limit", () => {
  it("checks the token and the method first", async () => {
    expect((await get("/cgi-bin/menu/get", "stale")).errcode).toBe(40001);
    expect((await get("/cgi-bin/menu/create")).errcode).toBe(43002);
  });

  it("counts: 1-3 top-level buttons (40016), 1-5 sub-buttons (40023)", async () => {
    expect(await create([])).toBe(40016);
    expect(await create([click("a"), click("b"), click("c"), click("d")])).toBe(40016);
    expect(await create([parent("p", [])])).toBe(40023);
    expect(
      await create([
        parent(
          "p",
          Array.from({ length: 6 }, (_, i) => click(`s${i}`)),
        ),
      ]),
    ).toBe(40023);
    expect(
      await create([
        click("a"),
        parent(
          "p",
          Array.from({ length: 5 }, (_, i) => click(`s${i}`)),
        ),
      ]),
    ).toBe(0);
  });

  it("names in UTF-8 bytes: 16 top-level (40018), 60 sub (40025), an emoji is 4", async () => {
    expect(await create([click("一二三四五")])).toBe(0);
    expect(await create([click("一二三四五六")])).toBe(40018);
    expect(await create([click("一二三四😀a")])).toBe(40018);
    expect(await create([parent("p", [click("一".repeat(20))])])).toBe(0);
    expect(await create([parent("p", [click("一".repeat(20) + "a")])])).toBe(40025);
  });

  it("types (40017/40024), keys ≤128 bytes (40019/40026), urls ≤1024 bytes and http(s) (40020/40027, 40055/40054)", async () => {
    expect(await create([{ type: "text", name: "a", value: "x" }])).toBe(40017);
    expect(await create([parent("p", [{ type: "news", name: "a" }])])).toBe(40024);
    expect(await create([click("a", "k".repeat(128))])).toBe(0);
    expect(await create([click("a", "k".repeat(129))])).toBe(40019);
    expect(await create([parent("p", [click("a", "")])])).toBe(40026);
    const base = "https://localhost/";
    expect(await create([view("a", base + "x".repeat(1024 - base.length))])).toBe(0);
    expect(await create([view("a", base + "x".repeat(1025 - base.length))])).toBe(40020);
    expect(await create([parent("p", [view("a", "")])])).toBe(40027);
    expect(await create([view("a", "javascript:alert(1)")])).toBe(40055);
    expect(await create([parent("p", [view("a", "ftp://a.com/")])])).toBe(40054);
  });

  it("at most 3 outside domains (65316); the web authorization domains and qq.com do not count", async () => {
    const links = (...hosts: string[]) => [
      parent(
        "p",
        hosts.map((h, i) => view(`l${i}`, `https://${h}/x`)),
      ),
    ];
    expect(await create(links("a.com", "b.com", "c.com", "localhost", "mp.weixin.qq.com"))).toBe(0);
    expect(await create(links("a.com", "b.com", "c.com", "d.com"))).toBe(65316);
  });
});

describe("reading and deleting", () => {
  it("create → menu/get (arrays) and get_current_selfmenu_info (sub_button.list)", async () => {
    expect((await get("/cgi-bin/menu/get")).errcode).toBe(46003);
    expect(await get("/cgi-bin/get_current_selfmenu_info")).toEqual({ is_menu_open: 0 });
    await create([click("今日", "TODAY"), parent("菜单", [view("搜索", "https://a.com/")])]);
    const got = await get("/cgi-bin/menu/get");
    expect((got.menu as { button: unknown }).button).toEqual([
      click("今日", "TODAY"),
      parent("菜单", [view("搜索", "https://a.com/")]),
    ]);
    expect(await get("/cgi-bin/get_current_selfmenu_info")).toEqual({
      is_menu_open: 1,
      selfmenu_info: {
        button: [click("今日", "TODAY"), { name: "菜单", sub_button: { list: [view("搜索", "https://a.com/")] } }],
      },
    });
  });

  it("a console-made menu shows in get_current_selfmenu_info, not in menu/get; create replaces it", async () => {
    sim.menus.seedConsoleMenu([{ type: "text", name: "联系", value: "电话" }]);
    expect((await get("/cgi-bin/menu/get")).errcode).toBe(46003);
    expect((await get("/cgi-bin/get_current_selfmenu_info")).selfmenu_info).toEqual({
      button: [{ type: "text", name: "联系", value: "电话" }],
    });
    await create([click("a")]);
    expect((await get("/cgi-bin/get_current_selfmenu_info")).selfmenu_info).toEqual({ button: [click("a")] });
  });

  it("delete removes the menu and every conditional menu", async () => {
    await create([click("a")]);
    expect(
      (await post("/cgi-bin/menu/addconditional", { button: [click("b")], matchrule: { client_platform_type: "1" } }))
        .menuid,
    ).toBeTruthy();
    expect((await get("/cgi-bin/menu/delete")).errcode).toBe(0);
    expect((await get("/cgi-bin/menu/get")).errcode).toBe(46003);
    expect(sim.menus.state().conditional).toEqual([]);
  });
});

describe("conditional menus and trymatch", () => {
  it("needs a default menu (65303), a rule (65304), and refuses an unknown menuid (65301)", async () => {
    expect(
      (await post("/cgi-bin/menu/addconditional", { button: [click("b")], matchrule: { tag_id: "2" } })).errcode,
    ).toBe(65303);
    await create([click("a")]);
    expect((await post("/cgi-bin/menu/addconditional", { button: [click("b")], matchrule: {} })).errcode).toBe(65304);
    expect(
      (await post("/cgi-bin/menu/addconditional", { button: [click("b")], matchrule: { tag_id: "999" } })).errcode,
    ).toBe(65304);
    expect(
      (await post("/cgi-bin/menu/addconditional", { button: [click("一二三四五六")], matchrule: { tag_id: "2" } }))
        .errcode,
    ).toBe(40018);
    expect((await post("/cgi-bin/menu/delconditional", { menuid: "1" })).errcode).toBe(65301);
  });

  it("trymatch: the newest matching conditional menu (tag and platform ANDed), else the default", async () => {
    await create([click("默认")]);
    const byTag = (await post("/cgi-bin/menu/addconditional", { button: [click("星标")], matchrule: { tag_id: 2 } }))
      .menuid;
    await post("/cgi-bin/menu/addconditional", { button: [click("苹果")], matchrule: { client_platform_type: "1" } });
    const me = openid();
    expect((await post("/cgi-bin/menu/trymatch", { user_id: me })).button).toEqual([click("默认")]);
    sim.menus.setPlatform(me, "1");
    expect((await post("/cgi-bin/menu/trymatch", { user_id: me })).button).toEqual([click("苹果")]);
    sim.followers.userTags.set(sim.followers.indexOf(me)!, new Set([2]));
    sim.menus.setPlatform(me, "2");
    expect((await post("/cgi-bin/menu/trymatch", { user_id: me })).button).toEqual([click("星标")]);
    expect((await post("/cgi-bin/menu/delconditional", { menuid: byTag })).errcode).toBe(0);
    expect((await post("/cgi-bin/menu/trymatch", { user_id: me })).button).toEqual([click("默认")]);
    expect((await post("/cgi-bin/menu/trymatch", { user_id: "o_nobody_at_all" })).errcode).toBe(65302);
  });

  it("the controls seed a console menu and refuse bad input", async () => {
    const bad = await fetch(`${sim.url}/__sim/menu/console`, { method: "POST", body: JSON.stringify({ button: [] }) });
    expect(bad.status).toBe(400);
    const ok = await fetch(`${sim.url}/__sim/menu/console`, {
      method: "POST",
      body: JSON.stringify({ button: [{ type: "img", name: "图", value: "MEDIA" }] }),
    });
    expect(ok.status).toBe(200);
    expect(((await (await fetch(`${sim.url}/__sim/menu`)).json()) as { console: unknown }).console).toEqual([
      { type: "img", name: "图", value: "MEDIA" },
    ]);
  });
});
