// The custom menu: a draft in our database, edited in the console and published to WeChat with
// menu/create; a history of what was published, deleted or imported, by whom and when (any published
// version is one call away: rollback); the conditional menus live on WeChat; taps counted from the pushes.
// WeChat first, then our rows: a refused or failed call changes nothing here.
import { z } from "zod";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import {
  MenuRefusedError,
  WeChatMenus,
  checkMenu,
  leaves,
  menuSchema,
  type MatchRule,
  type Menu,
  type MenuCheckOptions,
  type MenuProblem,
} from "@/lib/wechat/menu";
import { WeChatApiError } from "@/lib/wechat/errors";

export interface MenuDeps {
  readonly db: Db;
  readonly wechat: WeChatMenus;
  readonly appId: string;
  readonly now: () => Date;
  /** What is not an outside domain: this app's host (lib/wechat/menu.ts, 65316). */
  readonly check: MenuCheckOptions;
}

export type MenuKind = "publish" | "delete" | "import" | "conditional" | "conditional_delete";

export interface MenuHistoryEntry {
  readonly id: string;
  readonly kind: MenuKind;
  readonly menu: Menu | null;
  readonly matchRule: MatchRule | null;
  readonly menuId: string | null;
  readonly staff: string;
  readonly createdAt: string;
}

export interface ConditionalMenu {
  readonly menuId: string;
  readonly menu: Menu;
  readonly matchRule: MatchRule;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** Taps in the last TAP_DAYS days, by what WeChat pushes: CLICK's EventKey is the key, VIEW's the url. */
export interface MenuTap {
  readonly event: string;
  readonly key: string;
  readonly count: number;
}

export interface MenuView {
  readonly draft: Menu;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
  /** What publishing this draft would meet (console-made buttons included), each on its button. */
  readonly problems: readonly MenuProblem[];
  readonly conditional: readonly ConditionalMenu[];
  readonly taps: readonly MenuTap[];
  /** The newest publish or delete: what WeChat should be showing. */
  readonly live: MenuHistoryEntry | null;
}

export const TAP_DAYS = 30;
export const HISTORY_LIMIT = 100;
/** The menu events WeChat pushes for a tap (lib/wechat/menu.ts MENU_TYPES), as stored in WeChatEvent.event. */
const TAP_EVENTS = [
  "CLICK",
  "VIEW",
  "scancode_push",
  "scancode_waitmsg",
  "pic_sysphoto",
  "pic_photo_or_album",
  "pic_weixin",
  "location_select",
  "view_miniprogram",
];

const EMPTY: Menu = { button: [] };
const stored = (json: string): Menu => menuSchema.parse(JSON.parse(json));

export const historyIdParams = z.object({ id: z.string().min(1).max(64) });
export const menuIdParams = z.object({ menuid: z.string().regex(/^\d{1,20}$/) });

function refuse(problems: MenuProblem[], endpoint: string): never {
  throw new MenuRefusedError(endpoint, problems);
}

async function liveEntry(deps: MenuDeps): Promise<MenuHistoryEntry | null> {
  const row = await deps.db.menuPublication.findFirst({
    where: { appId: deps.appId, kind: { in: ["publish", "delete", "import"] } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  return row && toEntry(row);
}

/** The console's view: the draft with its problems, conditional menus, taps per button, what is live. */
export async function getMenu(deps: MenuDeps): Promise<MenuView> {
  const since = new Date(deps.now().getTime() - TAP_DAYS * 86_400_000);
  const [draft, conditional, taps, live] = await Promise.all([
    deps.db.menuDraft.findUnique({ where: { appId: deps.appId } }),
    listConditional(deps),
    deps.db.weChatEvent.groupBy({
      by: ["event", "eventKey"],
      where: { msgType: "event", event: { in: TAP_EVENTS }, createdAt: { gte: since } },
      _count: { _all: true },
    }),
    liveEntry(deps),
  ]);
  const menu = draft ? stored(draft.menu) : EMPTY;
  return {
    draft: menu,
    updatedAt: draft?.updatedAt.toISOString() ?? null,
    updatedBy: draft?.updatedBy ?? null,
    problems: menu.button.length === 0 ? [] : checkMenu(menu, deps.check),
    conditional,
    taps: taps
      .filter((t) => t.event && t.eventKey)
      .map((t) => ({ event: t.event as string, key: t.eventKey as string, count: t._count._all })),
    live,
  };
}

/**
 * Saves the draft (PUT /api/admin/menu). Every limit of menu/create is checked, as publishing would;
 * console-made buttons from an import may stay (publishing refuses them). Nothing is written on a refusal.
 */
export async function saveDraft(deps: MenuDeps, menu: Menu, staff: string): Promise<MenuView> {
  const problems = checkMenu(menu, { ...deps.check, allowConsoleOnly: true });
  if (problems.length > 0) refuse(problems, "/cgi-bin/menu/create");
  await writeDraft(deps.db, deps.appId, menu, staff, deps.now());
  return getMenu(deps);
}

async function writeDraft(db: Db, appId: string, menu: Menu, staff: string, now: Date): Promise<void> {
  const json = JSON.stringify(menu);
  await db.menuDraft.upsert({
    where: { appId },
    create: { appId, menu: json, updatedAt: now, updatedBy: staff },
    update: { menu: json, updatedAt: now, updatedBy: staff },
  });
}

/** 发布: the draft becomes WeChat's default menu; recorded in the history. */
export async function publishDraft(deps: MenuDeps, staff: string): Promise<MenuHistoryEntry> {
  const draft = await deps.db.menuDraft.findUnique({ where: { appId: deps.appId } });
  const menu = draft ? stored(draft.menu) : EMPTY;
  return publish(deps, menu, staff);
}

async function publish(deps: MenuDeps, menu: Menu, staff: string): Promise<MenuHistoryEntry> {
  await deps.wechat.create(menu);
  const row = await deps.db.menuPublication.create({
    data: { appId: deps.appId, kind: "publish", menu: JSON.stringify(menu), staff, createdAt: deps.now() },
  });
  return toEntry(row);
}

/** Rollback: a version from the history (published or imported) is published again and becomes the draft. */
export async function publishVersion(deps: MenuDeps, id: string, staff: string): Promise<MenuHistoryEntry> {
  const row = await deps.db.menuPublication.findFirst({ where: { id, appId: deps.appId } });
  if (!row || !row.menu || (row.kind !== "publish" && row.kind !== "import"))
    throw new AppError("menu_version_not_found");
  const menu = stored(row.menu);
  const entry = await publish(deps, menu, staff);
  await writeDraft(deps.db, deps.appId, menu, staff, deps.now());
  return entry;
}

/**
 * 从微信读取: the live menu as users see it (get_current_selfmenu_info), console-made buttons included,
 * becomes the draft; the conditional menus are read again from menu/get.
 */
export async function importMenu(deps: MenuDeps, staff: string): Promise<MenuView> {
  const current = await deps.wechat.current();
  if (!current.menu) {
    throw new WeChatApiError({
      errcode: 46003,
      errmsg: "get_current_selfmenu_info: no menu",
      endpoint: "/cgi-bin/get_current_selfmenu_info",
    });
  }
  const conditional = await deps.wechat.get().then(
    (menus) => menus.conditional,
    (error: unknown) => {
      // A menu made only in WeChat's web console: menu/get knows no API menu, so no conditional ones.
      if (error instanceof WeChatApiError && error.errcode === 46003) return [];
      throw error;
    },
  );
  const now = deps.now();
  const menu = current.menu;
  await deps.db.$transaction(async (tx) => {
    await tx.menuDraft.upsert({
      where: { appId: deps.appId },
      create: { appId: deps.appId, menu: JSON.stringify(menu), updatedAt: now, updatedBy: staff },
      update: { menu: JSON.stringify(menu), updatedAt: now, updatedBy: staff },
    });
    await tx.menuConditional.deleteMany({ where: { appId: deps.appId } });
    for (const c of conditional) {
      await tx.menuConditional.create({
        data: {
          appId: deps.appId,
          menuId: c.menuId,
          menu: JSON.stringify(c.menu),
          matchRule: JSON.stringify(c.matchRule),
          createdAt: now,
          createdBy: staff,
        },
      });
    }
    await tx.menuPublication.create({
      data: { appId: deps.appId, kind: "import", menu: JSON.stringify(menu), staff, createdAt: now },
    });
  });
  return getMenu(deps);
}

/** 删除菜单: WeChat deletes the menu and every conditional menu; so do we (the draft stays). */
export async function deleteMenu(deps: MenuDeps, staff: string): Promise<void> {
  await deps.wechat.delete();
  await deps.db.$transaction([
    deps.db.menuConditional.deleteMany({ where: { appId: deps.appId } }),
    deps.db.menuPublication.create({ data: { appId: deps.appId, kind: "delete", staff, createdAt: deps.now() } }),
  ]);
}

export async function menuHistory(deps: MenuDeps): Promise<MenuHistoryEntry[]> {
  const rows = await deps.db.menuPublication.findMany({
    where: { appId: deps.appId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: HISTORY_LIMIT,
  });
  return rows.map(toEntry);
}

async function listConditional(deps: MenuDeps): Promise<ConditionalMenu[]> {
  const rows = await deps.db.menuConditional.findMany({ where: { appId: deps.appId }, orderBy: { createdAt: "asc" } });
  return rows.map((r) => ({
    menuId: r.menuId,
    menu: stored(r.menu),
    matchRule: JSON.parse(r.matchRule) as MatchRule,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
  }));
}

/**
 * A conditional menu by tag and/or platform. WeChat needs a default menu first (65303): asked with
 * menu/get, and refused before addconditional when there is none.
 */
export async function addConditional(
  deps: MenuDeps,
  menu: Menu,
  matchRule: MatchRule,
  staff: string,
): Promise<ConditionalMenu> {
  const problems = checkMenu(menu, deps.check);
  if (problems.length > 0) refuse(problems, "/cgi-bin/menu/addconditional");
  if (matchRule.tag_id !== undefined) {
    const tag = await deps.db.tag.findUnique({ where: { id: Number(matchRule.tag_id) } });
    if (!tag) throw new AppError("tag_not_found");
  }
  const hasDefault = await deps.wechat.get().then(
    () => true,
    (error: unknown) => {
      if (error instanceof WeChatApiError && error.errcode === 46003) return false;
      throw error;
    },
  );
  if (!hasDefault) {
    throw new WeChatApiError({
      errcode: 65303,
      errmsg: "refused before calling WeChat: no default menu",
      endpoint: "/cgi-bin/menu/addconditional",
    });
  }
  const menuId = await deps.wechat.addConditional(menu, matchRule);
  const now = deps.now();
  await deps.db.$transaction([
    deps.db.menuConditional.create({
      data: {
        appId: deps.appId,
        menuId,
        menu: JSON.stringify(menu),
        matchRule: JSON.stringify(matchRule),
        createdAt: now,
        createdBy: staff,
      },
    }),
    deps.db.menuPublication.create({
      data: {
        appId: deps.appId,
        kind: "conditional",
        menu: JSON.stringify(menu),
        matchRule: JSON.stringify(matchRule),
        menuId,
        staff,
        createdAt: now,
      },
    }),
  ]);
  return { menuId, menu, matchRule, createdAt: now.toISOString(), createdBy: staff };
}

export async function deleteConditional(deps: MenuDeps, menuId: string, staff: string): Promise<void> {
  await deps.wechat.deleteConditional(menuId);
  await deps.db.$transaction([
    deps.db.menuConditional.deleteMany({ where: { appId: deps.appId, menuId } }),
    deps.db.menuPublication.create({
      data: { appId: deps.appId, kind: "conditional_delete", menuId, staff, createdAt: deps.now() },
    }),
  ]);
}

/** 预览匹配: the menu this person gets, and which one it is (a conditional menu's id, or "default"). */
export async function tryMatch(deps: MenuDeps, userId: string): Promise<{ menu: Menu; matched: string }> {
  const identity = await deps.db.identity.findFirst({
    where: { userId, appid: deps.appId },
    select: { openid: true },
  });
  if (!identity) throw new AppError("follower_not_found");
  const menu = await deps.wechat.tryMatch(identity.openid);
  const same = (a: Menu) => sameMenu(a, menu);
  const conditional = await listConditional(deps);
  const match = [...conditional].reverse().find((c) => same(c.menu));
  return { menu, matched: match ? match.menuId : "default" };
}

/** The same buttons (what WeChat echoes back may order fields differently). */
function sameMenu(a: Menu, b: Menu): boolean {
  const norm = (m: Menu) =>
    JSON.stringify(m.button.map((x) => ("sub_button" in x ? [x.name, x.sub_button.map(leafKey)] : leafKey(x))));
  return norm(a) === norm(b);
}

function leafKey(l: ReturnType<typeof leaves>[number]): string[] {
  return [
    l.type,
    l.name,
    l.key ?? "",
    l.url ?? "",
    l.appid ?? "",
    l.pagepath ?? "",
    l.media_id ?? "",
    l.article_id ?? "",
  ];
}

function toEntry(row: {
  id: string;
  kind: string;
  menu: string | null;
  matchRule: string | null;
  menuId: string | null;
  staff: string;
  createdAt: Date;
}): MenuHistoryEntry {
  return {
    id: row.id,
    kind: row.kind as MenuKind,
    menu: row.menu ? stored(row.menu) : null,
    matchRule: row.matchRule ? (JSON.parse(row.matchRule) as MatchRule) : null,
    menuId: row.menuId,
    staff: row.staff,
    createdAt: row.createdAt.toISOString(),
  };
}
