/**
 * Custom menus (cgi-bin/menu/*, get_current_selfmenu_info), as strict as WeChat: every count, byte
 * and URL limit with its errcode, the outside-domain limit (65316), conditional menus (65303 without a
 * default menu) and trymatch by tag and platform. A menu "made in WeChat's web console" can be seeded
 * (console-only button types such as text and news); an API create or delete replaces it.
 * Our reading of the ambiguous errcodes is in docs/wechat-protocol.md ("Custom menus").
 */
import { SimulatorInputError, type ApiBody } from "../errors";
import { control, type Route } from "../http/router";
import type { Surface } from "../surface";
import type { Followers } from "./followers";
import type { CgiRoutes } from "./guard";

const TYPES: Record<string, "key" | "url" | "miniprogram" | "media_id" | "article_id"> = {
  click: "key",
  view: "url",
  miniprogram: "miniprogram",
  scancode_push: "key",
  scancode_waitmsg: "key",
  pic_sysphoto: "key",
  pic_photo_or_album: "key",
  pic_weixin: "key",
  location_select: "key",
  media_id: "media_id",
  article_id: "article_id",
  article_view_limited: "article_id",
};
const CONDITIONAL_MAX = 20;
type Button = Record<string, unknown>;

interface Conditional {
  readonly menuid: string;
  readonly button: Button[];
  readonly matchrule: { tag_id?: string; client_platform_type?: string };
}

const bytes = (v: unknown) => (typeof v === "string" ? Buffer.byteLength(v, "utf8") : 0);
const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";

function httpHost(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

export class Menus implements Surface {
  private default: { menuid: string; button: Button[] } | null = null;
  private console: Button[] | null = null;
  private conditional: Conditional[] = [];
  private platforms = new Map<string, string>();
  private nextId = 400_000_001;

  constructor(
    private readonly followers: Followers,
    /** The account's web authorization domains: links to them are not outside domains (65316). */
    private readonly ownDomains: readonly string[],
  ) {}

  reset(): void {
    this.default = null;
    this.console = null;
    this.conditional = [];
    this.platforms.clear();
    this.nextId = 400_000_001;
  }

  /** A menu made in WeChat's web console (selfmenu shape: `sub_button: {list}`), live until an API create/delete. */
  seedConsoleMenu(button: unknown): void {
    if (
      !Array.isArray(button) ||
      button.length < 1 ||
      button.length > 3 ||
      !button.every((b) => typeof b === "object" && b)
    )
      throw new SimulatorInputError("button must be an array of 1-3 objects");
    this.console = button as Button[];
    this.default = null;
  }

  /** A persona's client platform for trymatch: "1" iOS, "2" Android (the default), "3" others. */
  setPlatform(openid: string, platform: string): void {
    if (!["1", "2", "3"].includes(platform)) throw new SimulatorInputError("platform must be 1, 2 or 3");
    this.platforms.set(openid, platform);
  }

  state() {
    return { default: this.default, conditional: this.conditional, console: this.console };
  }

  /** WeChat's routes, through the cgi guard (token, method, JSON body). */
  cgiRoutes(cgi: CgiRoutes): Route[] {
    return [
      cgi.post("/cgi-bin/menu/create", (b) => this.create(b)),
      cgi.get("/cgi-bin/menu/get", () => this.get()),
      cgi.get("/cgi-bin/get_current_selfmenu_info", () => this.current()),
      cgi.get("/cgi-bin/menu/delete", () => this.delete()),
      cgi.post("/cgi-bin/menu/addconditional", (b) => this.addConditional(b)),
      cgi.post("/cgi-bin/menu/delconditional", (b) => this.delConditional(b)),
      cgi.post("/cgi-bin/menu/trymatch", (b) => this.tryMatch(b)),
    ];
  }

  get controls(): Route[] {
    return [
      control("POST", "/__sim/menu/console", (input) => {
        this.seedConsoleMenu(input.button);
        return { ok: true };
      }),
      control("POST", "/__sim/menu/platform", (input) => {
        if (typeof input.openid !== "string") throw new SimulatorInputError("openid is required");
        this.setPlatform(input.openid, String(input.platform));
        return { ok: true };
      }),
      control("GET", "/__sim/menu", () => this.state()),
    ];
  }

  private err(errcode: number, message?: string): ApiBody {
    return this.followers.err(errcode, message);
  }

  /** WeChat's order: the count, then each button in order; the outside domains last. */
  private check(button: unknown): number | null {
    if (!Array.isArray(button) || button.length < 1 || button.length > 3) return 40016;
    const hosts = new Set<string>();
    for (const top of button as unknown[]) {
      if (typeof top !== "object" || top === null) return 40017;
      const b = top as Button;
      if (!nonEmpty(b.name) || bytes(b.name) > 16) return 40018;
      if ("sub_button" in b) {
        const subs = b.sub_button;
        if (!Array.isArray(subs) || subs.length < 1 || subs.length > 5) return 40023;
        for (const sub of subs as unknown[]) {
          if (typeof sub !== "object" || sub === null) return 40024;
          const s = sub as Button;
          if (!nonEmpty(s.name) || bytes(s.name) > 60) return 40025;
          const bad = this.checkLeaf(s, false, hosts);
          if (bad) return bad;
        }
      } else {
        const bad = this.checkLeaf(b, true, hosts);
        if (bad) return bad;
      }
    }
    return hosts.size > 3 ? 65316 : null;
  }

  private checkLeaf(b: Button, top: boolean, hosts: Set<string>): number | null {
    const needs = typeof b.type === "string" ? TYPES[b.type] : undefined;
    if (!needs) return top ? 40017 : 40024;
    if (needs === "key" && (!nonEmpty(b.key) || bytes(b.key) > 128)) return top ? 40019 : 40026;
    if (needs === "url" || needs === "miniprogram") {
      if (!nonEmpty(b.url) || bytes(b.url) > 1024) return top ? 40020 : 40027;
      const host = httpHost(b.url);
      if (!host) return top ? 40055 : 40054;
      const own = this.ownDomains.includes(host) || host === "qq.com" || host.endsWith(".qq.com");
      if (!own) hosts.add(host);
    }
    if (needs === "miniprogram") {
      if (typeof b.appid !== "string" || !/^wx[0-9a-f]{16}$/.test(b.appid) || !nonEmpty(b.pagepath))
        return top ? 40017 : 40024;
    }
    if (needs === "media_id" && !nonEmpty(b.media_id)) return top ? 40017 : 40024;
    if (needs === "article_id" && !nonEmpty(b.article_id)) return top ? 40017 : 40024;
    return null;
  }

  private create(body: Record<string, unknown>): ApiBody {
    const bad = this.check(body.button);
    if (bad) return this.err(bad);
    this.default = { menuid: String(this.nextId++), button: structuredClone(body.button as Button[]) };
    this.console = null;
    return { errcode: 0, errmsg: "ok" };
  }

  private get(): ApiBody {
    if (!this.default) return this.err(46003, "menu no exist");
    const out: ApiBody = { menu: { button: this.default.button, menuid: Number(this.default.menuid) } };
    if (this.conditional.length > 0) {
      out.conditionalmenu = this.conditional.map((c) => ({
        button: c.button,
        matchrule: c.matchrule,
        menuid: Number(c.menuid),
      }));
    }
    return out;
  }

  /** The selfmenu shape: a parent's sub-buttons come as `{"list":[…]}`. */
  private current(): ApiBody {
    if (this.console) return { is_menu_open: 1, selfmenu_info: { button: this.console } };
    if (!this.default) return { is_menu_open: 0 };
    const button = this.default.button.map((b) =>
      Array.isArray(b.sub_button) ? { name: b.name, sub_button: { list: b.sub_button } } : b,
    );
    return { is_menu_open: 1, selfmenu_info: { button } };
  }

  /** Deletes the menu, a console-made one and every conditional menu; with none, still ok (our reading). */
  private delete(): ApiBody {
    this.default = null;
    this.console = null;
    this.conditional = [];
    return { errcode: 0, errmsg: "ok" };
  }

  private addConditional(body: Record<string, unknown>): ApiBody {
    const bad = this.check(body.button);
    if (bad) return this.err(bad);
    if (!this.default) return this.err(65303, "there is no selfmenu, please create selfmenu first");
    const rule = body.matchrule;
    if (typeof rule !== "object" || rule === null) return this.err(65304, "match rule empty");
    const { tag_id, client_platform_type } = rule as Record<string, unknown>;
    const matchrule: Conditional["matchrule"] = {};
    if (tag_id !== undefined && tag_id !== "") {
      // An unknown tag: 65304 too (our reading; WeChat's page names no code of its own).
      if (!/^\d+$/.test(String(tag_id)) || !this.followers.tags.has(Number(tag_id)))
        return this.err(65304, "invalid tag_id");
      matchrule.tag_id = String(tag_id);
    }
    if (client_platform_type !== undefined && client_platform_type !== "") {
      if (!["1", "2", "3"].includes(String(client_platform_type)))
        return this.err(65304, "invalid client_platform_type");
      matchrule.client_platform_type = String(client_platform_type);
    }
    if (!matchrule.tag_id && !matchrule.client_platform_type) return this.err(65304, "match rule empty");
    if (this.conditional.length >= CONDITIONAL_MAX) return this.err(65305, "too many conditional menus");
    const menuid = String(this.nextId++);
    this.conditional.push({ menuid, button: structuredClone(body.button as Button[]), matchrule });
    return { menuid };
  }

  private delConditional(body: Record<string, unknown>): ApiBody {
    const index = this.conditional.findIndex((c) => c.menuid === String(body.menuid));
    if (index === -1) return this.err(65301, "no such menuid");
    this.conditional.splice(index, 1);
    return { errcode: 0, errmsg: "ok" };
  }

  /** The newest conditional menu whose rule matches (fields ANDed), else the default menu. */
  private tryMatch(body: Record<string, unknown>): ApiBody {
    const openid = body.user_id;
    const index = typeof openid === "string" ? this.followers.indexOf(openid) : undefined;
    // An openid the account has never seen: 65302 "没有相应的用户" (our reading of the trymatch codes).
    if (index === undefined) return this.err(65302, "no such user");
    if (!this.default) return this.err(46003, "menu no exist");
    const tags = this.followers.userTags.get(index) ?? new Set<number>();
    const platform = this.platforms.get(openid as string) ?? "2";
    const match = [...this.conditional]
      .reverse()
      .find(
        (c) =>
          (c.matchrule.tag_id === undefined || tags.has(Number(c.matchrule.tag_id))) &&
          (c.matchrule.client_platform_type === undefined || c.matchrule.client_platform_type === platform),
      );
    return { button: (match ?? this.default).button };
  }
}
