"use client";
// Which of the list's columns to show (列设置), remembered per browser in localStorage: each staff member
// sets up the table on their own computer, and nothing of it goes to the server or into the URL (a shared
// link shows the same rows, in the reader's own columns). The person column is always shown.
import { SettingOutlined } from "@ant-design/icons";
import { Button, Checkbox, Popover } from "antd";
import { useSyncExternalStore } from "react";

/** The columns that can be hidden, in table order (user-table.tsx keys its columns by these). */
export const OPTIONAL_COLUMNS = [
  { key: "openid", label: "openid" },
  { key: "unionid", label: "unionid" },
  { key: "scope", label: "授权" },
  { key: "subscribed", label: "已关注" },
  { key: "created", label: "注册时间" },
  { key: "login", label: "最近登录" },
] as const;

export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number]["key"];

export const HIDDEN_COLUMNS_KEY = "wcuc.admin.users.hiddenColumns";
const KNOWN: ReadonlySet<string> = new Set(OPTIONAL_COLUMNS.map((c) => c.key));
const listeners = new Set<() => void>();

function read(): string {
  try {
    return window.localStorage.getItem(HIDDEN_COLUMNS_KEY) ?? "[]";
  } catch {
    return "[]"; // storage refused (a locked-down browser): every column, every time
  }
}

function parse(text: string): ReadonlySet<OptionalColumn> {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return new Set();
    return new Set(value.filter((k): k is OptionalColumn => typeof k === "string" && KNOWN.has(k)));
  } catch {
    return new Set();
  }
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  // Another tab of the same browser changed them.
  const onStorage = (event: StorageEvent) => {
    if (event.key === HIDDEN_COLUMNS_KEY) onChange();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(onChange);
    window.removeEventListener("storage", onStorage);
  };
}

function write(hidden: readonly OptionalColumn[]): void {
  try {
    window.localStorage.setItem(HIDDEN_COLUMNS_KEY, JSON.stringify(hidden));
  } catch {
    // not remembered; nothing else to do
  }
  for (const listener of listeners) listener();
}

/** The hidden columns: none on the server and in the first render, then this browser's choice. */
export function useHiddenColumns(): readonly [
  ReadonlySet<OptionalColumn>,
  (hidden: readonly OptionalColumn[]) => void,
] {
  const text = useSyncExternalStore(subscribe, read, () => "[]");
  return [parse(text), write];
}

export function ColumnSettings({
  hidden,
  onChange,
}: {
  hidden: ReadonlySet<OptionalColumn>;
  onChange: (hidden: readonly OptionalColumn[]) => void;
}) {
  const shown = OPTIONAL_COLUMNS.filter((c) => !hidden.has(c.key)).map((c) => c.key);
  const content = (
    <div className="flex flex-col gap-2" data-testid="column-settings">
      <Checkbox.Group
        className="flex flex-col gap-1"
        value={shown}
        options={OPTIONAL_COLUMNS.map(({ key, label }) => ({ label, value: key }))}
        onChange={(checked) => onChange(OPTIONAL_COLUMNS.map((c) => c.key).filter((k) => !checked.includes(k)))}
      />
      <Button
        size="small"
        disabled={hidden.size === 0}
        onClick={() => onChange([])}
        data-testid="column-settings-reset"
      >
        显示全部列
      </Button>
      <p className="text-xs text-neutral-500">“用户”列始终显示。只保存在本浏览器。</p>
    </div>
  );
  return (
    <Popover content={content} title="显示的列" trigger="click" placement="bottomRight">
      <Button icon={<SettingOutlined />} data-testid="column-settings-button">
        列设置{hidden.size > 0 ? `（隐藏 ${hidden.size} 列）` : ""}
      </Button>
    </Popover>
  );
}
