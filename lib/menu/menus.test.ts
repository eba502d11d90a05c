// The custom menu against the simulator, on SQLite and PostgreSQL: the draft, publishing, import of a
// console-made menu, rollback, deletion, conditional menus and trymatch. WeChat first; a refusal writes nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { forEachDatabase } from "@/test/support/db";
import { useLoginWorld, type LoginWorld } from "@/test/support/world";
import { simulatorCgiClient } from "@/test/support/followers/clients";
import { AppError, toAppError } from "@/lib/errors";
import { WeChatApiError } from "@/lib/wechat/errors";
import { MenuRefusedError, WeChatMenus, type Menu } from "@/lib/wechat/menu";
import { findOrCreatePersonByOpenid } from "@/lib/users";
import { SIM_DEFAULTS } from "@/simulator/server";
import {
  addConditional,
  deleteConditional,
  deleteMenu,
  getMenu,
  importMenu,
  menuHistory,
  publishDraft,
  publishVersion,
  saveDraft,
  tryMatch,
  type MenuDeps,
} from "./menus";

const APP_ID = SIM_DEFAULTS.appId;
const STAFF = "admin@example.com";
const click = (name: string, key = "K") => ({ type: "click", name, key });
const menuA: Menu = {
  button: [
    click("今日", "TODAY"),
    { name: "更多", sub_button: [{ type: "view", name: "我的", url: "http://localhost:3000/me" }] },
  ],
};
const menuB: Menu = { button: [click("活动", "EVENT")] };

forEachDatabase((_kind, database) => {
  const world = useLoginWorld(database);
  let w: LoginWorld;
  let deps: MenuDeps;

  beforeEach(async () => {
    w = world();
    await w.db.menuDraft.deleteMany();
    await w.db.menuPublication.deleteMany();
    await w.db.menuConditional.deleteMany();
    await w.db.weChatEvent.deleteMany();
    await w.db.tag.deleteMany();
    const check = { ownHosts: ["localhost"] };
    deps = {
      db: w.db,
      wechat: new WeChatMenus(simulatorCgiClient(w.sim), check),
      appId: APP_ID,
      now: w.clock.now,
      check,
    };
  });

  const calls = (path: string) => w.sim.requests().filter((r) => r.path === path);

  async function caught(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => undefined,
      (e: unknown) => e,
    );
  }

  it("saves a draft, publishes it with menu/create and records who did", async () => {
    await saveDraft(deps, menuA, STAFF);
    expect((await getMenu(deps)).draft).toEqual(menuA);
    const published = await publishDraft(deps, STAFF);
    expect(published).toMatchObject({ kind: "publish", staff: STAFF, menu: menuA });
    expect(w.sim.menus.state().default?.button).toEqual(menuA.button);
    expect((await getMenu(deps)).live?.id).toBe(published.id);
  });

  it("refuses a draft over a limit with every problem, writes nothing and calls nothing", async () => {
    const error = await caught(saveDraft(deps, { button: [click("一二三四五六"), click("")] }, STAFF));
    expect(error).toBeInstanceOf(MenuRefusedError);
    const app = toAppError(error, "rejected");
    expect(app.status).toBe(422);
    expect(app.errcode).toBe(40018);
    expect(app.userMessage).toContain("18 字节");
    expect((app.options.extra?.problems as unknown[]).length).toBe(2);
    expect(await w.db.menuDraft.count()).toBe(0);
    expect(calls("/cgi-bin/menu/create")).toEqual([]);
  });

  it("imports a console-made menu read-only: the draft keeps it, publishing it is refused before calling", async () => {
    w.sim.menus.seedConsoleMenu([
      { type: "view", name: "官网", url: "https://a.com/" },
      { name: "服务", sub_button: { list: [{ type: "text", name: "联系", value: "电话 123" }] } },
    ]);
    const view = await importMenu(deps, STAFF);
    expect(view.draft).toEqual({
      button: [
        { type: "view", name: "官网", url: "https://a.com/" },
        { name: "服务", sub_button: [{ type: "text", name: "联系", value: "电话 123" }] },
      ],
    });
    expect(view.problems.map((p) => [p.errcode, p.at])).toEqual([[40024, [1, 0]]]);
    expect(view.conditional).toEqual([]);
    const error = await caught(publishDraft(deps, STAFF));
    expect((error as WeChatApiError).errcode).toBe(40024);
    expect(calls("/cgi-bin/menu/create")).toEqual([]);
    expect((await menuHistory(deps)).map((h) => h.kind)).toEqual(["import"]);
  });

  it("imports nothing when WeChat has no menu (46003), and the draft stays", async () => {
    await saveDraft(deps, menuA, STAFF);
    expect(((await caught(importMenu(deps, STAFF))) as WeChatApiError).errcode).toBe(46003);
    expect((await getMenu(deps)).draft).toEqual(menuA);
  });

  it("rolls back to a published version in one call; it becomes the draft", async () => {
    await saveDraft(deps, menuA, STAFF);
    const first = await publishDraft(deps, STAFF);
    await saveDraft(deps, menuB, STAFF);
    await publishDraft(deps, STAFF);
    expect(w.sim.menus.state().default?.button).toEqual(menuB.button);
    await publishVersion(deps, first.id, "other@example.com");
    expect(w.sim.menus.state().default?.button).toEqual(menuA.button);
    expect((await getMenu(deps)).draft).toEqual(menuA);
    const history = await menuHistory(deps);
    expect(history.map((h) => [h.kind, h.staff])).toEqual([
      ["publish", "other@example.com"],
      ["publish", STAFF],
      ["publish", STAFF],
    ]);
    const unknown = await caught(publishVersion(deps, "nope", STAFF));
    expect((unknown as AppError).code).toBe("menu_version_not_found");
  });

  it("conditional menus: refused without a default menu (65303) before addconditional, then added, matched and deleted", async () => {
    await w.db.tag.create({ data: { id: 2, name: "星标组", count: 0 } });
    const error = await caught(addConditional(deps, menuB, { tag_id: "2" }, STAFF));
    expect((error as WeChatApiError).errcode).toBe(65303);
    expect(calls("/cgi-bin/menu/addconditional")).toEqual([]);

    await saveDraft(deps, menuA, STAFF);
    await publishDraft(deps, STAFF);
    const added = await addConditional(deps, menuB, { tag_id: "2" }, STAFF);
    expect((await getMenu(deps)).conditional.map((c) => c.menuId)).toEqual([added.menuId]);

    const openid = w.sim.users.find((u) => !u.snapshot)!.openid;
    const userId = await findOrCreatePersonByOpenid(w.db, APP_ID, openid, w.clock.now());
    expect(await tryMatch(deps, userId)).toEqual({ menu: menuA, matched: "default" });
    w.sim.followers.userTags.set(w.sim.followers.indexOf(openid)!, new Set([2]));
    expect(await tryMatch(deps, userId)).toEqual({ menu: menuB, matched: added.menuId });

    await deleteConditional(deps, added.menuId, STAFF);
    expect((await getMenu(deps)).conditional).toEqual([]);
    expect(((await caught(deleteConditional(deps, added.menuId, STAFF))) as WeChatApiError).errcode).toBe(65301);
  });

  it("an unknown tag is refused before calling WeChat", async () => {
    const error = await caught(addConditional(deps, menuB, { tag_id: "12345" }, STAFF));
    expect((error as AppError).code).toBe("tag_not_found");
    expect(calls("/cgi-bin/menu/get")).toEqual([]);
  });

  it("deleting removes the menu and the conditional menus, on WeChat and here", async () => {
    await saveDraft(deps, menuA, STAFF);
    await publishDraft(deps, STAFF);
    await addConditional(deps, menuB, { client_platform_type: "1" }, STAFF);
    await deleteMenu(deps, STAFF);
    expect(w.sim.menus.state()).toMatchObject({ default: null, conditional: [] });
    const view = await getMenu(deps);
    expect(view.conditional).toEqual([]);
    expect(view.live?.kind).toBe("delete");
    expect(view.draft).toEqual(menuA);
  });

  it("counts taps per key and url over the last 30 days", async () => {
    const now = w.clock.now();
    const event = (i: number, event: string, eventKey: string, daysAgo: number) => ({
      dedupeKey: `k${i}`,
      openid: "o1",
      msgType: "event",
      event,
      eventKey,
      payload: "<xml/>",
      createdAt: new Date(now.getTime() - daysAgo * 86_400_000),
      status: "done",
    });
    await w.db.weChatEvent.createMany({
      data: [
        event(1, "CLICK", "TODAY", 1),
        event(2, "CLICK", "TODAY", 2),
        event(3, "VIEW", "http://localhost:3000/me", 3),
        event(4, "CLICK", "TODAY", 31),
        event(5, "subscribe", "", 1),
      ],
    });
    const taps = (await getMenu(deps)).taps;
    expect([...taps].sort((a, b) => a.event.localeCompare(b.event))).toEqual([
      { event: "CLICK", key: "TODAY", count: 2 },
      { event: "VIEW", key: "http://localhost:3000/me", count: 1 },
    ]);
  });
});

describe("menu routes need staff", () => {
  it("answers 401 without a staff session", async () => {
    const { GET } = await import("@/app/api/admin/menu/route");
    const response = await GET(new Request("http://localhost:3000/api/admin/menu"), { params: Promise.resolve({}) });
    expect(response.status).toBe(401);
  });
});
