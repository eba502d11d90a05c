"use client";
// The menu editor: a phone with the menu at the bottom of a chat (up to 3 buttons, up to 5 above each),
// the chosen button's form beside it, WeChat's limits checked as you type (the same checkMenu the server
// runs) and shown on the offending button, then 保存草稿 / 发布 / 从微信读取 / 删除菜单, the history with
// rollback, conditional menus and 预览匹配. Every change goes through /api/admin/menu.
import { App } from "antd";
import { useMemo, useState, useTransition } from "react";
import { consoleFetch } from "@/app/admin/console-fetch";
import { beijingTime } from "@/app/admin/beijing-time";
import { Term } from "@/app/admin/term";
import {
  CONSOLE_MADE_LABELS,
  MENU_SUB_MAX,
  MENU_TOP_MAX,
  MENU_TOP_NAME_MAX_BYTES,
  MENU_SUB_NAME_MAX_BYTES,
  checkMenu,
  isConsoleOnlyType,
  isParent,
  type Menu,
  type MenuButton,
  type MenuLeaf,
  type MenuProblem,
} from "@/lib/wechat/menu";
import { utf8Bytes } from "@/lib/wechat/text";
import type { ConditionalMenu, MenuHistoryEntry, MenuView } from "@/lib/menu/menus";

const TYPE_LABELS: Record<string, string> = {
  click: "点击（回复关键词）",
  view: "跳转网页",
  miniprogram: "打开小程序",
  scancode_push: "扫码",
  scancode_waitmsg: "扫码（等待回复）",
  pic_sysphoto: "拍照",
  pic_photo_or_album: "拍照或相册",
  pic_weixin: "微信相册",
  location_select: "发送位置",
  media_id: "素材",
  article_id: "发布的文章",
  article_view_limited: "发布的文章（仅查看）",
};
const KEY_TYPES = new Set([
  "click",
  "scancode_push",
  "scancode_waitmsg",
  "pic_sysphoto",
  "pic_photo_or_album",
  "pic_weixin",
  "location_select",
]);
/** This app's own pages: a menu link to them puts the login in front (each page signs the visitor in). */
const OWN_PAGES = [{ path: "/me", label: "个人中心（/me）" }];
const KIND_LABELS: Record<string, string> = {
  publish: "发布",
  delete: "删除菜单",
  import: "从微信读取",
  conditional: "新建个性化菜单",
  conditional_delete: "删除个性化菜单",
};
const PLATFORMS: Record<string, string> = { "1": "iOS", "2": "Android", "3": "其他" };
const INPUT = "w-full rounded-md border border-neutral-300 px-2 py-1.5 text-sm";
const BUTTON = "rounded-md border border-neutral-300 px-3 py-1.5 text-sm disabled:opacity-50";
const PRIMARY = "rounded-md bg-emerald-600 px-3 py-1.5 text-sm text-white disabled:opacity-50";

type Path = [number] | [number, number];
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function buttonAt(menu: Menu, path: Path): MenuButton | undefined {
  const top = menu.button[path[0]];
  if (path.length === 1 || !top) return top;
  return isParent(top) ? top.sub_button[path[1]] : undefined;
}

/** A copy of the menu with `change` applied to its button list (or one parent's sub-buttons). */
function edit(menu: Menu, change: (buttons: MenuButton[]) => void): Menu {
  const copy = structuredClone(menu);
  change(copy.button);
  return copy;
}

export interface MenuEditorProps {
  initial: MenuView;
  initialHistory: MenuHistoryEntry[];
  canEdit: boolean;
  appUrl: string;
  ownHosts: readonly string[];
  keywords: readonly string[];
  tags: readonly { id: number; name: string }[];
}

export function MenuEditor({ initial, initialHistory, canEdit, appUrl, ownHosts, keywords, tags }: MenuEditorProps) {
  const { modal, message } = App.useApp();
  const [view, setView] = useState(initial);
  const [menu, setMenu] = useState<Menu>(initial.draft);
  const [selected, setSelected] = useState<Path | null>(initial.draft.button.length > 0 ? [0] : null);
  const [error, setError] = useState<string | null>(null);
  const [serverProblems, setServerProblems] = useState<MenuProblem[]>([]);
  const [history, setHistory] = useState<MenuHistoryEntry[]>(initialHistory);
  const [pending, startTransition] = useTransition();
  const dirty = JSON.stringify(menu) !== JSON.stringify(view.draft);
  const problems = useMemo(
    () => (menu.button.length === 0 ? [] : checkMenu(menu, { ownHosts, allowConsoleOnly: true })),
    [menu, ownHosts],
  );
  const shown = problems.length > 0 ? problems : serverProblems;
  const publishProblems = useMemo(
    () => (menu.button.length === 0 ? [] : checkMenu(menu, { ownHosts })),
    [menu, ownHosts],
  );
  const problemsAt = (path: readonly number[]) => shown.filter((p) => same(p.at, path));

  const loadHistory = async () => {
    const answer = await consoleFetch<{ history: MenuHistoryEntry[] }>("/api/admin/menu/history");
    if (answer.kind === "ok") setHistory(answer.data.history);
  };

  /** Runs a change; the answer's view (when it is one) replaces ours; errors show above the editor. */
  const run = (action: () => Promise<string | null>, done?: string) =>
    startTransition(async () => {
      setError(null);
      const failure = await action();
      setError(failure);
      if (!failure && done) void message.success(done);
      void loadHistory();
    });

  const refresh = async (): Promise<string | null> => {
    const answer = await consoleFetch<MenuView>("/api/admin/menu");
    if (answer.kind === "error") return answer.message;
    if (answer.kind === "ok") {
      setView(answer.data);
      setMenu(answer.data.draft);
    }
    return null;
  };

  const save = async (): Promise<string | null> => {
    const answer = await consoleFetch<MenuView & { error?: unknown }>("/api/admin/menu", { method: "PUT", body: menu });
    if (answer.kind === "error") return answer.message;
    if (answer.kind === "ok") {
      setView(answer.data);
      setMenu(answer.data.draft);
      setServerProblems([]);
    }
    return null;
  };

  const publish = async (): Promise<string | null> => {
    if (dirty) {
      const failure = await save();
      if (failure) return failure;
    }
    const answer = await consoleFetch("/api/admin/menu/publish", { method: "POST", body: {} });
    if (answer.kind === "error") return answer.message;
    return refresh();
  };

  const importLive = () => {
    const go = () =>
      run(async () => {
        const answer = await consoleFetch<MenuView>("/api/admin/menu/import", { method: "POST", body: {} });
        if (answer.kind === "error") return answer.message;
        if (answer.kind === "ok") {
          setView(answer.data);
          setMenu(answer.data.draft);
          setSelected(answer.data.draft.button.length > 0 ? [0] : null);
        }
        return null;
      }, "已从微信读取当前菜单。");
    if (!dirty) return go();
    modal.confirm({
      title: "放弃未保存的修改？",
      content: "从微信读取会用线上菜单替换草稿，未保存的修改会丢失。",
      okText: "读取",
      cancelText: "取消",
      onOk: go,
    });
  };

  const deleteLive = () =>
    modal.confirm({
      title: "删除微信上的菜单？",
      content: "删除后，用户将看不到菜单；所有个性化菜单也会一并删除。草稿仍保留，可以再次发布。",
      okText: "删除菜单",
      okButtonProps: { danger: true },
      cancelText: "取消",
      onOk: () =>
        run(async () => {
          const answer = await consoleFetch("/api/admin/menu", { method: "DELETE" });
          if (answer.kind === "error") return answer.message;
          return refresh();
        }, "菜单已删除。"),
    });

  const rollback = (entry: MenuHistoryEntry) =>
    modal.confirm({
      title: "发布这个版本？",
      content: `将把 ${beijingTime(entry.createdAt)} 的菜单重新发布到微信，并作为草稿。`,
      okText: "发布",
      cancelText: "取消",
      onOk: () =>
        run(async () => {
          const answer = await consoleFetch(`/api/admin/menu/history/${entry.id}/publish`, {
            method: "POST",
            body: {},
          });
          if (answer.kind === "error") return answer.message;
          return refresh();
        }, "已发布。"),
    });

  const addTop = () => {
    setMenu(edit(menu, (b) => b.push({ type: "click", name: "菜单", key: "" })));
    setSelected([menu.button.length]);
  };
  const addSub = (i: number) => {
    const top = menu.button[i];
    if (!top) return;
    setMenu(
      edit(menu, (b) => {
        const t = b[i]!;
        if (isParent(t)) t.sub_button.push({ type: "click", name: "子菜单", key: "" });
        else b[i] = { name: t.name, sub_button: [{ type: "click", name: "子菜单", key: "" }] };
      }),
    );
    setSelected([i, isParent(top) ? top.sub_button.length : 0]);
  };
  const remove = (path: Path) => {
    setMenu(
      edit(menu, (b) => {
        if (path.length === 1) b.splice(path[0], 1);
        else {
          const parent = b[path[0]];
          if (parent && isParent(parent)) parent.sub_button.splice(path[1], 1);
        }
      }),
    );
    setSelected(path.length === 2 ? [path[0]] : menu.button.length > 1 ? [0] : null);
  };
  const move = (path: Path, by: -1 | 1) => {
    setMenu(
      edit(menu, (b) => {
        const list = path.length === 1 ? b : (b[path[0]] as { sub_button: MenuLeaf[] }).sub_button;
        const from = path[path.length - 1]!;
        const to = from + by;
        if (to < 0 || to >= list.length) return;
        const [item] = list.splice(from, 1);
        list.splice(to, 0, item as never);
      }),
    );
    const last = path[path.length - 1]! + by;
    setSelected(path.length === 1 ? [last] : [path[0], last]);
  };
  const update = (path: Path, change: (b: MenuButton) => MenuButton) =>
    setMenu(
      edit(menu, (b) => {
        if (path.length === 1) b[path[0]] = change(b[path[0]]!);
        else {
          const parent = b[path[0]];
          if (parent && isParent(parent)) parent.sub_button[path[1]] = change(parent.sub_button[path[1]]!) as MenuLeaf;
        }
      }),
    );

  const current = selected ? buttonAt(menu, selected) : undefined;
  const openTop = selected ? selected[0] : null;
  const tapsOf = (leaf: MenuLeaf) =>
    view.taps
      .filter((t) =>
        leaf.type === "view" ? t.event === "VIEW" && t.key === leaf.url : t.key === leaf.key && t.event !== "VIEW",
      )
      .reduce((n, t) => n + t.count, 0);

  return (
    <div className="flex flex-col gap-4" data-testid="menu-editor">
      {error && (
        <p role="alert" data-testid="menu-error" className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800">
          {error}
        </p>
      )}
      {!canEdit && (
        <p className="text-sm text-neutral-500" data-testid="menu-readonly">
          只读：只有管理员可以修改和发布菜单。
        </p>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          className={BUTTON}
          disabled={!canEdit || pending || !dirty || problems.length > 0}
          onClick={() => run(save, "草稿已保存。")}
          data-testid="menu-save"
        >
          保存草稿
        </button>
        <button
          type="button"
          className={PRIMARY}
          disabled={!canEdit || pending || menu.button.length === 0 || publishProblems.length > 0}
          onClick={() => run(publish, "菜单已发布，用户几分钟内可见。")}
          data-testid="menu-publish"
        >
          发布
        </button>
        <button
          type="button"
          className={BUTTON}
          disabled={!canEdit || pending}
          onClick={importLive}
          data-testid="menu-import"
        >
          从微信读取
        </button>
        <button type="button" className={`${BUTTON} text-red-700`} disabled={!canEdit || pending} onClick={deleteLive}>
          删除菜单
        </button>
        {dirty && (
          <span className="text-sm text-amber-700" data-testid="menu-dirty">
            有未保存的修改
          </span>
        )}
        {view.live && (
          <span className="text-sm text-neutral-500" data-testid="menu-live">
            线上：{KIND_LABELS[view.live.kind]}于 {beijingTime(view.live.createdAt)}（{view.live.staff}）
          </span>
        )}
      </div>

      <div className="flex flex-col gap-4 md:flex-row">
        {/* The phone: the chat's bottom bar with the menu, sub-buttons above the open one. */}
        <section aria-label="菜单预览" className="w-full shrink-0 md:w-80">
          <div className="flex h-[420px] flex-col justify-end rounded-3xl border-8 border-neutral-800 bg-neutral-100">
            {openTop !== null && menu.button[openTop] && (
              <div className="mx-auto mb-1 flex w-1/2 flex-col rounded-md bg-white shadow" data-testid="menu-sub-list">
                {(isParent(menu.button[openTop])
                  ? (menu.button[openTop] as { sub_button: MenuLeaf[] }).sub_button
                  : []
                ).map((sub, j) => (
                  <button
                    key={j}
                    type="button"
                    onClick={() => setSelected([openTop, j])}
                    data-testid="menu-sub"
                    aria-pressed={selected ? same(selected, [openTop, j]) : false}
                    className={`truncate border-b border-neutral-100 px-2 py-2 text-sm ${
                      problemsAt([openTop, j]).length > 0 ? "text-red-600 ring-1 ring-red-400" : ""
                    } ${selected && same(selected, [openTop, j]) ? "bg-emerald-50" : ""}`}
                  >
                    {sub.name || "（未命名）"}
                  </button>
                ))}
                {canEdit &&
                  (!isParent(menu.button[openTop]!) ||
                    (menu.button[openTop] as { sub_button: MenuLeaf[] }).sub_button.length < MENU_SUB_MAX) && (
                    <button
                      type="button"
                      className="px-2 py-2 text-sm text-emerald-700"
                      onClick={() => addSub(openTop)}
                      data-testid="menu-add-sub"
                    >
                      ＋ 子菜单
                    </button>
                  )}
              </div>
            )}
            <div className="flex h-12 border-t border-neutral-300 bg-white">
              <span className="flex w-10 items-center justify-center text-neutral-400" aria-hidden>
                ⌨
              </span>
              {menu.button.map((top, i) => (
                <button
                  key={i}
                  type="button"
                  onClick={() => setSelected([i])}
                  data-testid="menu-top"
                  aria-pressed={openTop === i}
                  className={`flex-1 truncate border-l border-neutral-200 px-1 text-sm ${
                    problemsAt([i]).length > 0 ? "text-red-600 ring-1 ring-inset ring-red-400" : ""
                  } ${openTop === i ? "bg-emerald-50" : ""}`}
                >
                  {isParent(top) ? "≡ " : ""}
                  {top.name || "（未命名）"}
                </button>
              ))}
              {canEdit && menu.button.length < MENU_TOP_MAX && (
                <button
                  type="button"
                  className="flex-1 border-l border-neutral-200 text-sm text-emerald-700"
                  onClick={addTop}
                  data-testid="menu-add-top"
                >
                  ＋
                </button>
              )}
            </div>
          </div>
          {shown
            .filter((p) => p.at.length === 0)
            .map((p) => (
              <p key={p.errcode} className="mt-2 text-sm text-red-600" data-testid="menu-problem">
                {p.message}（微信错误码 {p.errcode}）
              </p>
            ))}
        </section>

        <section aria-label="按钮设置" className="flex-1 rounded-xl bg-white p-5 shadow-sm">
          {!current || !selected ? (
            <p className="text-sm text-neutral-500">
              {menu.button.length === 0
                ? "菜单是空的：点 ＋ 添加第一个按钮，或“从微信读取”线上菜单。"
                : "点选一个按钮来编辑。"}
            </p>
          ) : (
            <ButtonForm
              key={selected.join("-")}
              button={current}
              path={selected}
              canEdit={canEdit}
              appUrl={appUrl}
              keywords={keywords}
              problems={problemsAt(selected)}
              taps={isParent(current) ? null : tapsOf(current)}
              onChange={(change) => update(selected, change)}
              onRemove={() => remove(selected)}
              onMove={(by) => move(selected, by)}
              count={
                selected.length === 1
                  ? menu.button.length
                  : (menu.button[selected[0]] as { sub_button: unknown[] }).sub_button.length
              }
            />
          )}
        </section>
      </div>

      <Conditional
        conditional={view.conditional}
        canEdit={canEdit}
        tags={tags}
        draft={menu}
        pending={pending}
        run={run}
        refresh={refresh}
      />

      <section aria-label="发布历史" className="rounded-xl bg-white p-5 shadow-sm">
        <h2 className="mb-2 font-medium">发布历史</h2>
        {history.length === 0 ? (
          <p className="text-sm text-neutral-500">还没有发布记录。</p>
        ) : (
          <ul className="divide-y divide-neutral-100" data-testid="menu-history">
            {history.map((h) => (
              <li
                key={h.id}
                className="flex flex-wrap items-center gap-3 py-2 text-sm"
                data-testid="menu-history-entry"
                data-kind={h.kind}
              >
                <span className="w-40 text-neutral-500">{beijingTime(h.createdAt)}</span>
                <span className="w-28">{KIND_LABELS[h.kind] ?? h.kind}</span>
                <span className="flex-1 truncate text-neutral-600">
                  {h.menu ? h.menu.button.map((b) => b.name).join(" / ") : h.menuId ? `menuid ${h.menuId}` : ""}
                </span>
                <span className="text-neutral-500">{h.staff}</span>
                {canEdit && h.menu && (h.kind === "publish" || h.kind === "import") && (
                  <button type="button" className={BUTTON} disabled={pending} onClick={() => rollback(h)}>
                    发布此版本
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function ButtonForm(props: {
  button: MenuButton;
  path: Path;
  canEdit: boolean;
  appUrl: string;
  keywords: readonly string[];
  problems: readonly MenuProblem[];
  taps: number | null;
  count: number;
  onChange: (change: (b: MenuButton) => MenuButton) => void;
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
}) {
  const { button, path, canEdit, appUrl, keywords, problems, taps, count, onChange, onRemove, onMove } = props;
  const top = path.length === 1;
  const max = top ? MENU_TOP_NAME_MAX_BYTES : MENU_SUB_NAME_MAX_BYTES;
  const readOnly = !canEdit || (!isParent(button) && isConsoleOnlyType(button.type));
  const leaf = isParent(button) ? null : button;
  const set = (field: keyof MenuLeaf, value: string) => onChange((b) => ({ ...b, [field]: value }) as MenuButton);
  const field = (name: keyof MenuLeaf, label: React.ReactNode, placeholder = "") => (
    <label className="flex flex-col gap-1 text-sm">
      {label}
      <input
        className={INPUT}
        value={(leaf?.[name] as string | undefined) ?? ""}
        placeholder={placeholder}
        disabled={readOnly}
        onChange={(e) => set(name, e.target.value)}
        data-testid={`menu-field-${name}`}
      />
    </label>
  );
  return (
    <div className="flex flex-col gap-3" data-testid="menu-form">
      <div className="flex items-center gap-2">
        <h2 className="flex-1 font-medium">{top ? "一级菜单" : "子菜单"}</h2>
        {canEdit && (
          <>
            <button
              type="button"
              className={BUTTON}
              disabled={path[path.length - 1] === 0}
              onClick={() => onMove(-1)}
              aria-label="前移"
            >
              {top ? "←" : "↑"}
            </button>
            <button
              type="button"
              className={BUTTON}
              disabled={path[path.length - 1] === count - 1}
              onClick={() => onMove(1)}
              aria-label="后移"
            >
              {top ? "→" : "↓"}
            </button>
            <button type="button" className={`${BUTTON} text-red-700`} onClick={onRemove} data-testid="menu-remove">
              删除按钮
            </button>
          </>
        )}
      </div>
      {leaf && isConsoleOnlyType(leaf.type) && (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="menu-console-made">
          此按钮在微信公众平台创建（
          <Term tip={`类型 ${leaf.type}`}>
            {CONSOLE_MADE_LABELS[leaf.type as keyof typeof CONSOLE_MADE_LABELS] ?? "其他类型"}
          </Term>
          {leaf.value ? `：${leaf.value}` : ""}），这里只读；发布前请删除或换成其他类型。
        </p>
      )}
      <label className="flex flex-col gap-1 text-sm">
        名称
        <input
          className={INPUT}
          value={button.name}
          disabled={!canEdit}
          onChange={(e) => onChange((b) => ({ ...b, name: e.target.value }))}
          data-testid="menu-field-name"
        />
        <span className={`text-xs ${utf8Bytes(button.name) > max ? "text-red-600" : "text-neutral-500"}`}>
          <Term tip="微信按字节计算长度：一个汉字 3 字节，一个表情 4 字节，一个字母或数字 1 字节。">
            已用 {utf8Bytes(button.name)} / {max} 字节
          </Term>
          （约 {Math.floor(max / 3)} 个汉字）
        </span>
      </label>
      {isParent(button) ? (
        <p className="text-sm text-neutral-500">
          这个按钮展开 {button.sub_button.length} 个子菜单；点选子菜单编辑它们。
        </p>
      ) : (
        !isConsoleOnlyType(button.type) && (
          <>
            <label className="flex flex-col gap-1 text-sm">
              类型
              <select
                className={INPUT}
                value={button.type}
                disabled={!canEdit}
                onChange={(e) => onChange((b) => ({ type: e.target.value, name: b.name }))}
                data-testid="menu-field-type"
              >
                {Object.entries(TYPE_LABELS).map(([type, label]) => (
                  <option key={type} value={type}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            {KEY_TYPES.has(button.type) && (
              <>
                {field(
                  "key",
                  <Term tip="即菜单的 key：用户点按钮时，微信把它随点击事件发给本系统，用来匹配关键词回复。">
                    按钮标识
                  </Term>,
                  "例如 TODAY_NEWS",
                )}
                {button.type === "click" && keywords.length > 0 && (
                  <label className="flex flex-col gap-1 text-sm">
                    或选择一条关键词自动回复
                    <select
                      className={INPUT}
                      value={keywords.includes(button.key ?? "") ? button.key : ""}
                      disabled={!canEdit}
                      onChange={(e) => set("key", e.target.value)}
                      data-testid="menu-field-keyword"
                    >
                      <option value="">（不使用）</option>
                      {keywords.map((k) => (
                        <option key={k} value={k}>
                          {k}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
              </>
            )}
            {(button.type === "view" || button.type === "miniprogram") && (
              <>
                {field("url", button.type === "view" ? "链接" : "备用网页链接（旧版微信打开）", "https://")}
                {button.type === "view" && (
                  <label className="flex flex-col gap-1 text-sm">
                    或选择本站页面（自动先登录）
                    <select
                      className={INPUT}
                      value=""
                      disabled={!canEdit}
                      onChange={(e) => e.target.value && set("url", `${appUrl}${e.target.value}`)}
                      data-testid="menu-field-page"
                    >
                      <option value="">（选择页面）</option>
                      {OWN_PAGES.map((p) => (
                        <option key={p.path} value={p.path}>
                          {p.label}
                        </option>
                      ))}
                    </select>
                  </label>
                )}
              </>
            )}
            {button.type === "miniprogram" && (
              <>
                {field("appid", "小程序 AppID", "wx…")}
                {field("pagepath", "小程序页面路径", "pages/index/index")}
              </>
            )}
            {button.type === "media_id" &&
              field("media_id", <Term tip="media_id：公众平台素材库中素材的编号">素材 ID</Term>)}
            {(button.type === "article_id" || button.type === "article_view_limited") &&
              field("article_id", <Term tip="article_id：发布后的文章的编号">文章 ID</Term>)}
          </>
        )
      )}
      {problems.map((p, i) => (
        <p key={i} className="text-sm text-red-600" data-testid="menu-problem">
          {p.message}（微信错误码 {p.errcode}）
        </p>
      ))}
      {taps !== null && (
        <p className="text-sm text-neutral-500" data-testid="menu-taps">
          近 30 天点击 {taps} 次
        </p>
      )}
    </div>
  );
}

function Conditional(props: {
  conditional: readonly ConditionalMenu[];
  canEdit: boolean;
  tags: readonly { id: number; name: string }[];
  draft: Menu;
  pending: boolean;
  run: (action: () => Promise<string | null>, done?: string) => void;
  refresh: () => Promise<string | null>;
}) {
  const { conditional, canEdit, tags, draft, pending, run, refresh } = props;
  const [tagId, setTagId] = useState("");
  const [platform, setPlatform] = useState("");
  const [userId, setUserId] = useState("");
  const [match, setMatch] = useState<{ menu: Menu; matched: string } | null>(null);
  const rule = (r: { tag_id?: string; client_platform_type?: string }) =>
    [
      r.tag_id ? `标签：${tags.find((t) => String(t.id) === r.tag_id)?.name ?? r.tag_id}` : null,
      r.client_platform_type ? `平台：${PLATFORMS[r.client_platform_type]}` : null,
    ]
      .filter(Boolean)
      .join("，");
  return (
    <section aria-label="个性化菜单" className="rounded-xl bg-white p-5 shadow-sm">
      <h2 className="mb-2 font-medium">个性化菜单</h2>
      <p className="mb-3 text-sm text-neutral-500">按标签或手机平台给部分用户看不同的菜单；需要先发布默认菜单。</p>
      {conditional.length > 0 && (
        <ul className="mb-3 divide-y divide-neutral-100">
          {conditional.map((c) => (
            <li key={c.menuId} className="flex items-center gap-3 py-2 text-sm" data-testid="menu-conditional">
              <span className="flex-1">
                {rule(c.matchRule)}：{c.menu.button.map((b) => b.name).join(" / ")}
              </span>
              {canEdit && (
                <button
                  type="button"
                  className={`${BUTTON} text-red-700`}
                  disabled={pending}
                  onClick={() =>
                    run(async () => {
                      const answer = await consoleFetch(`/api/admin/menu/conditional/${c.menuId}`, {
                        method: "DELETE",
                      });
                      return answer.kind === "error" ? answer.message : refresh();
                    }, "已删除个性化菜单。")
                  }
                >
                  删除
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <div className="flex flex-wrap items-end gap-2">
          <label className="flex flex-col gap-1 text-sm">
            标签
            <select className={INPUT} value={tagId} onChange={(e) => setTagId(e.target.value)}>
              <option value="">（不限）</option>
              {tags.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1 text-sm">
            平台
            <select className={INPUT} value={platform} onChange={(e) => setPlatform(e.target.value)}>
              <option value="">（不限）</option>
              {Object.entries(PLATFORMS).map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className={BUTTON}
            disabled={pending || (!tagId && !platform)}
            onClick={() =>
              run(async () => {
                const answer = await consoleFetch("/api/admin/menu/conditional", {
                  method: "POST",
                  body: {
                    button: draft.button,
                    matchrule: {
                      ...(tagId ? { tag_id: tagId } : {}),
                      ...(platform ? { client_platform_type: platform } : {}),
                    },
                  },
                });
                return answer.kind === "error" ? answer.message : refresh();
              }, "已创建个性化菜单。")
            }
          >
            用当前草稿创建
          </button>
        </div>
      )}
      <div className="mt-4 flex flex-wrap items-end gap-2">
        <label className="flex flex-col gap-1 text-sm">
          预览匹配：用户 ID
          <input
            className={INPUT}
            value={userId}
            onChange={(e) => setUserId(e.target.value.trim())}
            placeholder="用户详情页地址中的 ID"
          />
        </label>
        <button
          type="button"
          className={BUTTON}
          disabled={!canEdit || pending || !userId}
          onClick={() =>
            run(async () => {
              const answer = await consoleFetch<{ menu: Menu; matched: string }>("/api/admin/menu/trymatch", {
                method: "POST",
                body: { userId },
              });
              if (answer.kind === "error") return answer.message;
              if (answer.kind === "ok") setMatch(answer.data);
              return null;
            })
          }
        >
          预览匹配
        </button>
        {match && (
          <span className="text-sm" data-testid="menu-trymatch">
            {match.matched === "default" ? "默认菜单" : `个性化菜单 ${match.matched}`}：
            {match.menu.button.map((b) => b.name).join(" / ")}
          </span>
        )}
      </div>
    </section>
  );
}
