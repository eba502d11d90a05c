import { describe, expect, it } from "vitest";
import type { CgiCall, CgiClient } from "./cgi";
import { WeChatApiError } from "./errors";
import {
  MenuRefusedError,
  WeChatMenus,
  checkMenu,
  matchRuleSchema,
  menuSchema,
  outsideHosts,
  toCreateBody,
  type Menu,
  type MenuProblem,
} from "./menu";

const own = { ownHosts: ["app.example.com"] };
const click = (name: string, key = "K") => ({ type: "click", name, key });
const view = (name: string, url: string) => ({ type: "view", name, url });
const codes = (problems: MenuProblem[]) => problems.map((p) => [p.errcode, p.at]);

describe("checkMenu: counts", () => {
  it("takes 1 to 3 top-level buttons (40016)", () => {
    expect(codes(checkMenu({ button: [] }, own))).toEqual([[40016, []]]);
    expect(checkMenu({ button: [click("一"), click("二"), click("三")] }, own)).toEqual([]);
    expect(codes(checkMenu({ button: [click("一"), click("二"), click("三"), click("四")] }, own))).toEqual([
      [40016, []],
    ]);
  });

  it("takes 1 to 5 sub-buttons (40023 on the parent)", () => {
    const parent = (n: number) => ({ name: "更多", sub_button: Array.from({ length: n }, (_, i) => click(`子${i}`)) });
    expect(codes(checkMenu({ button: [parent(0)] }, own))).toEqual([[40023, [0]]]);
    expect(checkMenu({ button: [parent(5)] }, own)).toEqual([]);
    expect(codes(checkMenu({ button: [click("a"), parent(6)] }, own))).toEqual([[40023, [1]]]);
  });
});

describe("checkMenu: names in UTF-8 bytes", () => {
  it("top level: 16 bytes, so five CJK characters fit and six do not (40018)", () => {
    expect(checkMenu({ button: [click("一二三四五")] }, own)).toEqual([]);
    const six = checkMenu({ button: [click("一二三四五六")] }, own);
    expect(codes(six)).toEqual([[40018, [0]]]);
    expect(six[0]!.message).toContain("18 字节");
  });

  it("counts an emoji as 4 bytes", () => {
    expect(checkMenu({ button: [click("一二三四😀")] }, own)).toEqual([]); // 12 + 4
    expect(codes(checkMenu({ button: [click("一二三四😀a")] }, own))).toEqual([[40018, [0]]]); // 17
  });

  it("sub-buttons: 60 bytes (40025), reported on the sub-button", () => {
    const ok = "一".repeat(20);
    expect(checkMenu({ button: [{ name: "更多", sub_button: [click(ok)] }] }, own)).toEqual([]);
    expect(codes(checkMenu({ button: [{ name: "更多", sub_button: [click("a"), click(ok + "a")] }] }, own))).toEqual([
      [40025, [0, 1]],
    ]);
  });

  it("refuses an empty or blank name", () => {
    expect(codes(checkMenu({ button: [click("  ")] }, own))).toEqual([[40018, [0]]]);
  });
});

describe("checkMenu: types, keys and URLs", () => {
  it("names an unknown type (40017 top, 40024 sub)", () => {
    expect(codes(checkMenu({ button: [{ type: "tap", name: "a" }] }, own))).toEqual([[40017, [0]]]);
    expect(codes(checkMenu({ button: [{ name: "b", sub_button: [{ type: "", name: "a" }] }] }, own))).toEqual([
      [40024, [0, 0]],
    ]);
  });

  it("keys: present and at most 128 bytes (40019 top, 40026 sub)", () => {
    expect(checkMenu({ button: [click("a", "k".repeat(128))] }, own)).toEqual([]);
    expect(codes(checkMenu({ button: [click("a", "k".repeat(129))] }, own))).toEqual([[40019, [0]]]);
    expect(codes(checkMenu({ button: [{ type: "location_select", name: "a" }] }, own))).toEqual([[40019, [0]]]);
    expect(codes(checkMenu({ button: [{ name: "b", sub_button: [click("a", "键".repeat(43))] }] }, own))).toEqual([
      [40026, [0, 0]],
    ]);
  });

  it("URLs: present, at most 1024 bytes (40020/40027), http or https (40055/40054)", () => {
    const base = "https://app.example.com/";
    expect(checkMenu({ button: [view("a", base + "x".repeat(1024 - base.length))] }, own)).toEqual([]);
    expect(codes(checkMenu({ button: [view("a", base + "x".repeat(1025 - base.length))] }, own))).toEqual([
      [40020, [0]],
    ]);
    expect(codes(checkMenu({ button: [{ type: "view", name: "a" }] }, own))).toEqual([[40020, [0]]]);
    expect(codes(checkMenu({ button: [view("a", "javascript:alert(1)")] }, own))).toEqual([[40055, [0]]]);
    expect(codes(checkMenu({ button: [view("a", "/me")] }, own))).toEqual([[40055, [0]]]);
    expect(codes(checkMenu({ button: [{ name: "b", sub_button: [view("a", "ftp://x.com/")] }] }, own))).toEqual([
      [40054, [0, 0]],
    ]);
    expect(codes(checkMenu({ button: [{ name: "b", sub_button: [view("a", "")] }] }, own))).toEqual([[40027, [0, 0]]]);
  });

  it("miniprogram needs an appid, a page path and a fallback URL", () => {
    const mp = {
      type: "miniprogram",
      name: "小程序",
      appid: "wx0123456789abcdef",
      pagepath: "pages/index",
      url: "https://app.example.com/",
    };
    expect(checkMenu({ button: [mp] }, own)).toEqual([]);
    expect(checkMenu({ button: [{ ...mp, appid: "gh_1", pagepath: "" }] }, own).map((p) => p.field)).toEqual([
      "appid",
      "pagepath",
    ]);
    expect(codes(checkMenu({ button: [{ ...mp, url: undefined }] }, own))).toEqual([[40020, [0]]]);
  });

  it("console-made types: kept in a draft, refused for publishing with an explanation", () => {
    const menu = { button: [{ type: "text", name: "联系我们", value: "电话 123" }] };
    expect(checkMenu(menu, { ...own, allowConsoleOnly: true })).toEqual([]);
    const [problem] = checkMenu(menu, own);
    expect(problem).toMatchObject({ errcode: 40017, at: [0], field: "type" });
    expect(problem!.message).toContain("微信公众平台创建");
  });

  it("reports every problem at once, in WeChat's order", () => {
    const menu = { button: [click("一二三四五六"), { name: "", sub_button: [view("a", "nope")] }] };
    expect(codes(checkMenu(menu, own))).toEqual([
      [40018, [0]],
      [40018, [1]],
      [40054, [1, 0]],
    ]);
  });
});

describe("outside domains (65316)", () => {
  const links = (...hosts: string[]) => ({
    button: [
      { name: "链接", sub_button: hosts.slice(0, 5).map((h, i) => view(`l${i}`, `https://${h}/p`)) },
      ...(hosts.length > 5
        ? [{ name: "更多", sub_button: hosts.slice(5).map((h, i) => view(`m${i}`, `https://${h}/p`)) }]
        : []),
    ],
  });

  it("allows three outside hosts and refuses a fourth", () => {
    expect(checkMenu(links("a.com", "b.com", "c.com"), own)).toEqual([]);
    const problems = checkMenu(links("a.com", "b.com", "c.com", "d.com"), own);
    expect(codes(problems)).toEqual([[65316, []]]);
    expect(problems[0]!.message).toContain("d.com");
  });

  it("does not count our own hosts, WeChat's pages or the same host twice", () => {
    const menu = links("a.com", "b.com", "c.com", "app.example.com", "mp.weixin.qq.com", "A.com");
    expect(outsideHosts(menu, own.ownHosts)).toEqual(["a.com", "b.com", "c.com"]);
    expect(checkMenu(menu, own)).toEqual([]);
  });
});

describe("menuSchema and matchRuleSchema", () => {
  it("takes menu/create's body and refuses fields WeChat does not know", () => {
    expect(menuSchema.safeParse({ button: [click("a")] }).success).toBe(true);
    expect(menuSchema.safeParse({ button: [{ ...click("a"), colour: "red" }] }).success).toBe(false);
    expect(menuSchema.safeParse({ buttons: [] }).success).toBe(false);
  });

  it("needs a tag or a platform and gives strings", () => {
    expect(matchRuleSchema.parse({ tag_id: 101 })).toEqual({ tag_id: "101" });
    expect(matchRuleSchema.parse({ client_platform_type: 2 })).toEqual({ client_platform_type: "2" });
    expect(matchRuleSchema.safeParse({}).success).toBe(false);
    expect(matchRuleSchema.safeParse({ client_platform_type: "4" }).success).toBe(false);
  });

  it("toCreateBody drops what only an imported button carries", () => {
    const menu: Menu = { button: [{ type: "view", name: "a", url: "https://a.com/", value: "x" }] };
    expect(toCreateBody(menu)).toEqual({ button: [{ type: "view", name: "a", url: "https://a.com/" }] });
  });
});

function scripted(answers: Record<string, unknown>) {
  const calls: CgiCall<unknown>[] = [];
  const cgi: CgiClient = {
    async call<T>(call: CgiCall<T>): Promise<T> {
      calls.push(call as CgiCall<unknown>);
      return call.schema.parse(answers[call.path]);
    },
  };
  return { cgi, calls };
}

describe("WeChatMenus", () => {
  it("refuses a menu over the limits without calling WeChat, naming every problem", async () => {
    const { cgi, calls } = scripted({});
    const menus = new WeChatMenus(cgi, own);
    const error = await menus.create({ button: [click("一二三四五六")] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MenuRefusedError);
    expect(error).toBeInstanceOf(WeChatApiError);
    expect((error as MenuRefusedError).errcode).toBe(40018);
    expect((error as MenuRefusedError).problems).toHaveLength(1);
    expect(calls).toEqual([]);
  });

  it("reads get_current_selfmenu_info's shape (sub_button.list, console types) into ours", async () => {
    const { cgi } = scripted({
      "/cgi-bin/get_current_selfmenu_info": {
        is_menu_open: 1,
        selfmenu_info: {
          button: [
            { type: "click", name: "今日", key: "TODAY" },
            {
              name: "菜单",
              sub_button: {
                list: [
                  { type: "view", name: "搜索", url: "https://a.com/" },
                  { type: "text", name: "文本", value: "hi" },
                ],
              },
            },
          ],
        },
      },
    });
    const current = await new WeChatMenus(cgi, own).current();
    expect(current).toEqual({
      open: true,
      menu: {
        button: [
          { type: "click", name: "今日", key: "TODAY" },
          {
            name: "菜单",
            sub_button: [
              { type: "view", name: "搜索", url: "https://a.com/" },
              { type: "text", name: "文本", value: "hi" },
            ],
          },
        ],
      },
    });
  });

  it("reads no menu as null", async () => {
    const { cgi } = scripted({ "/cgi-bin/get_current_selfmenu_info": { is_menu_open: 0 } });
    expect(await new WeChatMenus(cgi, own).current()).toEqual({ open: false, menu: null });
  });

  it("sends addconditional with its matchrule and returns the menuid as a string", async () => {
    const { cgi, calls } = scripted({ "/cgi-bin/menu/addconditional": { menuid: 208379533 } });
    const id = await new WeChatMenus(cgi, own).addConditional({ button: [click("会员")] }, { tag_id: "101" });
    expect(id).toBe("208379533");
    expect(calls[0]!.body).toEqual({ button: [click("会员")], matchrule: { tag_id: "101" } });
    expect(calls[0]!.idempotent).toBe(false);
  });
});
