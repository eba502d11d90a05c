/**
 * Custom menus (自定义菜单) with the basic access_token: cgi-bin/menu/* and get_current_selfmenu_info.
 * Bodies use WeChat's own names (`button`, `sub_button`, `matchrule`), so a menu an operator copies
 * from WeChat's docs works as is. Calls go through a CgiClient (lib/wechat/cgi.ts); answers are checked
 * with zod here, once.
 *
 * Every limit is checked BEFORE calling (checkMenu): all problems at once, each on its button with the
 * errcode WeChat would answer and a Chinese explanation, so the console can show them where they are.
 * Our reading of the limits is in docs/wechat-protocol.md ("Custom menus").
 */
import { z } from "zod";
import type { CgiClient } from "./cgi";
import { WeChatApiError } from "./errors";
import { utf8Bytes } from "./text";

export const MENU_TOP_MAX = 3;
export const MENU_SUB_MAX = 5;
export const MENU_TOP_NAME_MAX_BYTES = 16;
export const MENU_SUB_NAME_MAX_BYTES = 60;
export const MENU_KEY_MAX_BYTES = 128;
export const MENU_URL_MAX_BYTES = 1024;
export const MENU_OUTSIDE_DOMAINS_MAX = 3;
export const CONDITIONAL_MENUS_MAX = 20;

/** The types menu/create takes, with the fields each needs. */
export const MENU_TYPES = {
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
} as const;
export type MenuType = keyof typeof MENU_TYPES;

/** Types only WeChat's web console makes; get_current_selfmenu_info shows them, menu/create refuses them. */
export const CONSOLE_ONLY_TYPES = ["text", "img", "voice", "video", "news"] as const;
type ConsoleOnlyType = (typeof CONSOLE_ONLY_TYPES)[number];
/** What such a button does, in an operator's words. */
export const CONSOLE_MADE_LABELS: Readonly<Record<ConsoleOnlyType, string>> = {
  text: "回复文字",
  img: "回复图片",
  voice: "回复语音",
  video: "回复视频",
  news: "回复图文",
};

export function isMenuType(type: unknown): type is MenuType {
  return typeof type === "string" && Object.hasOwn(MENU_TYPES, type);
}

export function isConsoleOnlyType(type: unknown): boolean {
  return typeof type === "string" && (CONSOLE_ONLY_TYPES as readonly string[]).includes(type);
}

const text = z.string().max(4096);
/** A button that does something. Unknown types pass the shape; checkMenu names them (40017/40024). */
const leafShape = z
  .object({
    type: text,
    name: text,
    key: text.optional(),
    url: text.optional(),
    appid: text.optional(),
    pagepath: text.optional(),
    media_id: text.optional(),
    article_id: text.optional(),
    /** console-only buttons (imported, read-only here) */
    value: text.optional(),
    news_info: z.unknown().optional(),
  })
  .strict();
const parentShape = z.object({ name: text, sub_button: z.array(leafShape).max(50) }).strict();
/** A top-level button: a parent (sub_button wins, as in WeChat) or a leaf. */
const buttonShape = z.union([parentShape, leafShape]);

/** `{"button":[…]}` as menu/create takes it: the shape only; the limits are checkMenu's. */
export const menuSchema = z.object({ button: z.array(buttonShape).max(50) }).strict();
export type MenuLeaf = z.output<typeof leafShape>;
export type MenuParent = z.output<typeof parentShape>;
export type MenuButton = MenuLeaf | MenuParent;
export type Menu = z.output<typeof menuSchema>;

export function isParent(button: MenuButton): button is MenuParent {
  return "sub_button" in button;
}

/** `matchrule` of a conditional menu: by tag, by platform (1 iOS, 2 Android, 3 others), or both. */
export const matchRuleSchema = z
  .object({
    tag_id: z.union([z.string().regex(/^\d{1,10}$/), z.number().int().nonnegative()]).optional(),
    client_platform_type: z.union([z.enum(["1", "2", "3"]), z.literal(1), z.literal(2), z.literal(3)]).optional(),
  })
  .strict()
  .refine((r) => r.tag_id !== undefined || r.client_platform_type !== undefined, {
    message: "matchrule 至少需要 tag_id 或 client_platform_type",
  })
  .transform((r) => ({
    ...(r.tag_id !== undefined ? { tag_id: String(r.tag_id) } : {}),
    ...(r.client_platform_type !== undefined ? { client_platform_type: String(r.client_platform_type) } : {}),
  }));
export type MatchRule = z.output<typeof matchRuleSchema>;

/** One thing WeChat would refuse, on one button: `at` is [top] or [top, sub]; `at` [] is the whole menu. */
export interface MenuProblem {
  readonly at: readonly number[];
  readonly field: "button" | "sub_button" | "type" | "name" | "key" | "url" | "appid" | "pagepath" | "media_id";
  readonly errcode: number;
  /** Simplified Chinese, for the operator, shown on the button. */
  readonly message: string;
}

export interface MenuCheckOptions {
  /**
   * Hosts that are not "outside" (65316): this app's host and the account's web authorization domains.
   * Hosts under qq.com (WeChat's own pages) are never counted.
   */
  readonly ownHosts: readonly string[];
  /** A draft may keep console-made buttons (read-only here); a menu to publish may not. */
  readonly allowConsoleOnly?: boolean;
}

const APPID_RE = /^wx[0-9a-f]{16}$/;

/** Every limit of menu/create, all problems at once, in WeChat's order (the first is what it would answer). */
export function checkMenu(menu: Menu, options: MenuCheckOptions): MenuProblem[] {
  const problems: MenuProblem[] = [];
  const n = menu.button.length;
  if (n < 1 || n > MENU_TOP_MAX) {
    problems.push({
      at: [],
      field: "button",
      errcode: 40016,
      message: `一级菜单须有 1–${MENU_TOP_MAX} 个，现在有 ${n} 个。`,
    });
  }
  menu.button.forEach((button, i) => {
    checkName(button.name, [i], problems);
    if (isParent(button)) {
      const m = button.sub_button.length;
      if (m < 1 || m > MENU_SUB_MAX) {
        problems.push({
          at: [i],
          field: "sub_button",
          errcode: 40023,
          message: `子菜单须有 1–${MENU_SUB_MAX} 个，现在有 ${m} 个。`,
        });
      }
      button.sub_button.forEach((sub, j) => {
        checkName(sub.name, [i, j], problems);
        checkLeaf(sub, [i, j], options, problems);
      });
    } else {
      checkLeaf(button, [i], options, problems);
    }
  });
  const outside = outsideHosts(menu, options.ownHosts);
  if (outside.length > MENU_OUTSIDE_DOMAINS_MAX) {
    problems.push({
      at: [],
      field: "url",
      errcode: 65316,
      message: `菜单链接最多跳转到 ${MENU_OUTSIDE_DOMAINS_MAX} 个外部域名，现在有 ${outside.length} 个：${outside.join("、")}。`,
    });
  }
  return problems;
}

/** Throws the WeChatApiError WeChat would answer to the first problem; the menu is never sent. */
export function assertMenu(menu: Menu, options: MenuCheckOptions, endpoint = "/cgi-bin/menu/create"): void {
  const problems = checkMenu(menu, options);
  if (problems.length > 0) throw new MenuRefusedError(endpoint, problems);
}

/** A menu refused before calling WeChat: the first problem's errcode, and every problem for the editor. */
export class MenuRefusedError extends WeChatApiError {
  constructor(
    endpoint: string,
    readonly problems: readonly MenuProblem[],
  ) {
    const first = problems[0]!;
    super({ errcode: first.errcode, errmsg: `refused before calling WeChat: ${first.message}`, endpoint });
  }
}

function checkName(name: string, at: number[], problems: MenuProblem[]): void {
  const top = at.length === 1;
  const max = top ? MENU_TOP_NAME_MAX_BYTES : MENU_SUB_NAME_MAX_BYTES;
  const bytes = utf8Bytes(name);
  if (name.trim() === "" || bytes > max) {
    problems.push({
      at,
      field: "name",
      errcode: top ? 40018 : 40025,
      message:
        name.trim() === ""
          ? "请填写菜单名称。"
          : `${top ? "一级" : "子"}菜单名称最多 ${max} 字节（汉字 3 字节、表情 4 字节），现在 ${bytes} 字节。`,
    });
  }
}

function checkLeaf(leaf: MenuLeaf, at: number[], options: MenuCheckOptions, problems: MenuProblem[]): void {
  const top = at.length === 1;
  const badType = top ? 40017 : 40024;
  if (!isMenuType(leaf.type)) {
    const consoleMade = isConsoleOnlyType(leaf.type);
    if (consoleMade && options.allowConsoleOnly) return;
    problems.push({
      at,
      field: "type",
      errcode: badType,
      message: consoleMade
        ? `此按钮在微信公众平台创建（${CONSOLE_MADE_LABELS[leaf.type as ConsoleOnlyType]}），在这里不能发布这种按钮：请换成其他类型或删除。`
        : `不支持的按钮类型：${leaf.type || "（空）"}。`,
    });
    return;
  }
  const needs = MENU_TYPES[leaf.type];
  if (needs === "key") {
    const key = leaf.key ?? "";
    const bytes = utf8Bytes(key);
    if (key === "" || bytes > MENU_KEY_MAX_BYTES) {
      problems.push({
        at,
        field: "key",
        errcode: top ? 40019 : 40026,
        message: key === "" ? "请填写按钮标识。" : `按钮标识最多 ${MENU_KEY_MAX_BYTES} 字节，现在 ${bytes} 字节。`,
      });
    }
  }
  if (needs === "url" || needs === "miniprogram") checkUrl(leaf.url ?? "", at, problems);
  if (needs === "miniprogram") {
    if (!APPID_RE.test(leaf.appid ?? "")) {
      problems.push({ at, field: "appid", errcode: badType, message: "请填写小程序的 AppID（wx 开头的 18 位）。" });
    }
    if (!(leaf.pagepath ?? "").trim()) {
      problems.push({ at, field: "pagepath", errcode: badType, message: "请填写小程序的页面路径。" });
    }
  }
  if (needs === "media_id" && !(leaf.media_id ?? "").trim()) {
    problems.push({ at, field: "media_id", errcode: badType, message: "请填写素材 ID。" });
  }
  if (needs === "article_id" && !(leaf.article_id ?? "").trim()) {
    problems.push({ at, field: "media_id", errcode: badType, message: "请填写文章 ID。" });
  }
}

function checkUrl(url: string, at: number[], problems: MenuProblem[]): void {
  const top = at.length === 1;
  const bytes = utf8Bytes(url);
  if (url === "" || bytes > MENU_URL_MAX_BYTES) {
    problems.push({
      at,
      field: "url",
      errcode: top ? 40020 : 40027,
      message: url === "" ? "请填写链接。" : `链接最多 ${MENU_URL_MAX_BYTES} 字节，现在 ${bytes} 字节。`,
    });
    return;
  }
  if (!httpHost(url)) {
    problems.push({
      at,
      field: "url",
      errcode: top ? 40055 : 40054,
      message: "链接须以 http:// 或 https:// 开头，且是完整的网址。",
    });
  }
}

function httpHost(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** The distinct hosts the menu links to that count against the limit of 3 (65316). */
export function outsideHosts(menu: Menu, ownHosts: readonly string[]): string[] {
  const own = new Set(ownHosts.map((h) => h.toLowerCase()));
  const hosts = new Set<string>();
  for (const leaf of leaves(menu)) {
    if (leaf.type !== "view" && leaf.type !== "miniprogram") continue;
    const host = httpHost(leaf.url ?? "");
    if (!host || own.has(host) || host === "qq.com" || host.endsWith(".qq.com")) continue;
    hosts.add(host);
  }
  return [...hosts];
}

/** Every button that does something, top-level or sub, in order. */
export function leaves(menu: Menu): MenuLeaf[] {
  return menu.button.flatMap((b) => (isParent(b) ? b.sub_button : [b]));
}

// --- Answers -----------------------------------------------------------------------------------

/** get_current_selfmenu_info's buttons: sub-buttons come as `{"list":[…]}`, console types carry `value`. */
const selfLeaf = z
  .object({
    type: z.string(),
    name: z.string(),
    key: z.string().optional(),
    url: z.string().optional(),
    appid: z.string().optional(),
    pagepath: z.string().optional(),
    media_id: z.string().optional(),
    article_id: z.string().optional(),
    value: z.string().optional(),
    news_info: z.unknown().optional(),
  })
  .loose();
const selfButton = z.union([
  z.object({ name: z.string(), sub_button: z.object({ list: z.array(selfLeaf) }) }).loose(),
  selfLeaf,
]);
const selfMenuInfo = z
  .object({
    is_menu_open: z.union([z.literal(0), z.literal(1)]),
    selfmenu_info: z.object({ button: z.array(selfButton) }).optional(),
  })
  .transform((b): { open: boolean; menu: Menu | null } => ({
    open: b.is_menu_open === 1,
    menu: b.selfmenu_info ? { button: b.selfmenu_info.button.map(fromSelfButton) } : null,
  }));
export type CurrentMenu = z.output<typeof selfMenuInfo>;

function pickLeaf(raw: z.output<typeof selfLeaf>): MenuLeaf {
  const leaf: MenuLeaf = { type: raw.type, name: raw.name };
  for (const field of ["key", "url", "appid", "pagepath", "media_id", "article_id", "value"] as const) {
    const v = raw[field];
    if (typeof v === "string") leaf[field] = v;
  }
  if (raw.news_info !== undefined) leaf.news_info = raw.news_info;
  return leaf;
}

function fromSelfButton(raw: z.output<typeof selfButton>): MenuButton {
  if ("sub_button" in raw && typeof raw.sub_button === "object" && raw.sub_button && "list" in raw.sub_button) {
    return { name: raw.name, sub_button: (raw.sub_button as { list: z.output<typeof selfLeaf>[] }).list.map(pickLeaf) };
  }
  return pickLeaf(raw as z.output<typeof selfLeaf>);
}

const apiLeaf = selfLeaf;
const apiButton = z.union([z.object({ name: z.string(), sub_button: z.array(apiLeaf) }).loose(), apiLeaf]);
function fromApiButton(raw: z.output<typeof apiButton>): MenuButton {
  if ("sub_button" in raw && Array.isArray(raw.sub_button)) {
    return { name: raw.name, sub_button: (raw.sub_button as z.output<typeof apiLeaf>[]).map(pickLeaf) };
  }
  return pickLeaf(raw as z.output<typeof apiLeaf>);
}
const apiMenu = z
  .object({ button: z.array(apiButton) })
  .transform((m): Menu => ({ button: m.button.map(fromApiButton) }));

const menuGet = z
  .object({
    menu: z.object({ button: z.array(apiButton), menuid: z.union([z.number(), z.string()]).optional() }),
    conditionalmenu: z
      .array(
        z.object({
          button: z.array(apiButton),
          matchrule: z.record(z.string(), z.unknown()).optional(),
          menuid: z.union([z.number(), z.string()]),
        }),
      )
      .optional(),
  })
  .transform((b) => ({
    menu: { button: b.menu.button.map(fromApiButton) } as Menu,
    conditional: (b.conditionalmenu ?? []).map((c) => ({
      menuId: String(c.menuid),
      menu: { button: c.button.map(fromApiButton) } as Menu,
      matchRule: stringRule(c.matchrule ?? {}),
    })),
  }));
export type ApiMenus = z.output<typeof menuGet>;

function stringRule(rule: Record<string, unknown>): MatchRule {
  const out: { tag_id?: string; client_platform_type?: string } = {};
  if (rule.tag_id !== undefined && rule.tag_id !== "") out.tag_id = String(rule.tag_id);
  if (rule.client_platform_type !== undefined && rule.client_platform_type !== "")
    out.client_platform_type = String(rule.client_platform_type);
  return out;
}

const ok = z.object({}).loose();
const added = z.object({ menuid: z.union([z.string(), z.number()]) }).transform((b) => String(b.menuid));

/** Only the fields menu/create knows, in WeChat's names (an imported button's `value` is not sent). */
export function toCreateBody(menu: Menu): Menu {
  const leaf = (l: MenuLeaf): MenuLeaf => {
    const out: MenuLeaf = { type: l.type, name: l.name };
    for (const field of ["key", "url", "appid", "pagepath", "media_id", "article_id"] as const) {
      if (l[field] !== undefined) out[field] = l[field];
    }
    return out;
  };
  return {
    button: menu.button.map((b) => (isParent(b) ? { name: b.name, sub_button: b.sub_button.map(leaf) } : leaf(b))),
  };
}

/** The menu endpoints. Writes are not retried on -1 (create is "set to this value" and would be safe, but delete of a conditional menu is not). */
export class WeChatMenus {
  constructor(
    private readonly cgi: CgiClient,
    private readonly options: MenuCheckOptions,
  ) {}

  /** menu/create after checkMenu: the default menu, replacing the live one. */
  async create(menu: Menu): Promise<void> {
    assertMenu(menu, this.options);
    await this.cgi.call({
      method: "POST",
      path: "/cgi-bin/menu/create",
      body: toCreateBody(menu),
      schema: ok,
      idempotent: true,
    });
  }

  /** The menu users see now, however it was made (null: no menu). */
  current(): Promise<CurrentMenu> {
    return this.cgi.call({
      method: "GET",
      path: "/cgi-bin/get_current_selfmenu_info",
      schema: selfMenuInfo,
      idempotent: true,
    });
  }

  /** What the API set: the default menu and the conditional ones (46003 when there is none). */
  get(): Promise<ApiMenus> {
    return this.cgi.call({ method: "GET", path: "/cgi-bin/menu/get", schema: menuGet, idempotent: true });
  }

  /** Deletes the menu and every conditional menu. */
  async delete(): Promise<void> {
    await this.cgi.call({ method: "GET", path: "/cgi-bin/menu/delete", schema: ok, idempotent: true });
  }

  /** addconditional → its menuid (65303 from WeChat when no default menu exists). */
  addConditional(menu: Menu, matchRule: MatchRule): Promise<string> {
    assertMenu(menu, this.options, "/cgi-bin/menu/addconditional");
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/menu/addconditional",
      body: { ...toCreateBody(menu), matchrule: matchRule },
      schema: added,
      idempotent: false,
    });
  }

  async deleteConditional(menuId: string): Promise<void> {
    await this.cgi.call({
      method: "POST",
      path: "/cgi-bin/menu/delconditional",
      body: { menuid: menuId },
      schema: ok,
      idempotent: true,
    });
  }

  /** The menu this follower gets (conditional or default). */
  tryMatch(openid: string): Promise<Menu> {
    return this.cgi.call({
      method: "POST",
      path: "/cgi-bin/menu/trymatch",
      body: { user_id: openid },
      schema: apiMenu,
      idempotent: true,
    });
  }
}
