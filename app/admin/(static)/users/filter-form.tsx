"use client";
// The list's filters as a GET form whose fields are the URL's parameters. Submitting it goes to the URL
// that holds the whole query, canonical (empty fields and defaults left out), in the browser: a view is
// still a URL (no client state to lose), without reloading the shell. Paging cursors are dropped, so a
// new filter starts at the first page.
import { DatePicker } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import {
  DEFAULT_LIMIT,
  parseUserQuery,
  shanghaiToday,
  userQueryToSearchParams,
  type UserQuery,
} from "@/lib/admin/user-query";
import type { TagOption } from "./bulk-actions";

const field = "rounded-md border border-neutral-300 bg-white px-2 py-1.5 text-sm";

function Select({
  name,
  label,
  value,
  options,
}: {
  name: string;
  label: string;
  value: string | undefined;
  options: readonly (readonly [string, string])[];
}) {
  return (
    <label className="flex flex-col gap-1 text-xs text-neutral-500">
      {label}
      <select name={name} defaultValue={value ?? ""} className={field} data-testid={`filter-${name}`}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

const DAY = "YYYY-MM-DD";

/** Quick ranges, as Beijing calendar days (the dates the API reads): today is Beijing's today. */
function presets(): { label: string; value: [Dayjs, Dayjs] }[] {
  const today = dayjs(shanghaiToday(), DAY);
  return [
    { label: "今天", value: [today, today] },
    { label: "最近 7 天", value: [today.subtract(6, "day"), today] },
    { label: "最近 30 天", value: [today.subtract(29, "day"), today] },
    { label: "本月", value: [today.startOf("month"), today] },
  ];
}

/**
 * A range of Beijing calendar days (both ends included) in one antd RangePicker, in Chinese whatever the
 * browser's language. Either end may stay open. The chosen days are also hidden fields of the form, so
 * 搜索 sends them with the rest; a pick applies at once through `onPick`.
 */
function DateRange({
  label,
  names,
  value,
  onPick,
}: {
  label: string;
  names: readonly [string, string];
  value: readonly [string | undefined, string | undefined];
  onPick: (from: string, to: string) => void;
}) {
  // Shown at once; the form is drawn again from the URL the pick leads to.
  const [[from, to], setRange] = useState(value);
  const id = { start: `filter-${names[0]}`, end: `filter-${names[1]}` };
  return (
    <div
      className="col-span-2 flex flex-col gap-1 text-xs text-neutral-500"
      data-testid={`filter-range-${names[0]}`}
      // Enter in the picker confirms the date typed there; it must not also submit the form around it
      // (that would go to the URL of the days picked so far, none yet, and drop what was typed).
      onKeyDown={(event) => {
        if (event.key === "Enter") event.preventDefault();
      }}
    >
      <label htmlFor={id.start}>{label}</label>
      <DatePicker.RangePicker
        id={id}
        value={[from ? dayjs(from, DAY) : null, to ? dayjs(to, DAY) : null]}
        format={DAY}
        allowEmpty={[true, true]}
        placeholder={["开始日期", "结束日期"]}
        presets={presets()}
        // user-table.css: the two months one above the other on a phone, not past the screen's edge.
        classNames={{ popup: { root: "user-range-popup" } }}
        onChange={(dates) => {
          const picked = [dates?.[0]?.format(DAY) ?? "", dates?.[1]?.format(DAY) ?? ""] as const;
          setRange(picked);
          onPick(...picked);
        }}
      />
      <input type="hidden" name={names[0]} value={from ?? ""} />
      <input type="hidden" name={names[1]} value={to ?? ""} />
    </div>
  );
}

/**
 * Where a submitted form goes: its non-empty fields (with `overrides` on top), canonical when they parse
 * (else as typed, for the error).
 */
function searchOf(form: HTMLFormElement, overrides: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  const values = new Map<string, string[]>();
  for (const [key, value] of new FormData(form))
    if (typeof value === "string") values.set(key, [...(values.get(key) ?? []), value]);
  for (const [key, value] of Object.entries(overrides)) values.set(key, [value]);
  for (const [key, list] of values) for (const value of list) if (value !== "") params.append(key, value);
  const parsed = parseUserQuery(params);
  return (parsed.ok ? userQueryToSearchParams(parsed.query) : params).toString();
}

export interface QrOption {
  readonly scene: string;
  readonly name: string;
}

export function FilterForm({
  query,
  tags,
  qrCodes = [],
}: {
  query: UserQuery;
  tags: readonly TagOption[];
  qrCodes?: readonly QrOption[];
}) {
  const router = useRouter();
  const form = useRef<HTMLFormElement>(null);
  const go = (overrides?: Record<string, string>) => {
    if (!form.current) return;
    const search = searchOf(form.current, overrides);
    router.push(search ? `/admin/users?${search}` : "/admin/users");
  };
  return (
    <form
      ref={form}
      method="get"
      action="/admin/users"
      onSubmit={(event) => {
        event.preventDefault();
        go();
      }}
      // Filters apply at once (as in every admin console): a changed select or date range submits the
      // form; typing in the search box waits for 搜索 or Enter.
      onChange={(event) => {
        if (event.target instanceof HTMLSelectElement) event.currentTarget.requestSubmit();
      }}
      role="search"
      className="flex flex-col gap-3 rounded-lg border border-neutral-200 bg-white p-4"
      data-testid="filter-form"
    >
      <div className="flex flex-wrap gap-2">
        <input
          type="search"
          name="q"
          defaultValue={query.q ?? ""}
          maxLength={100}
          placeholder="昵称、备注，或完整的 openid / unionid"
          aria-label="搜索用户"
          className={`${field} min-w-0 flex-1`}
          data-testid="search-input"
        />
        <button
          type="submit"
          className="rounded-md bg-neutral-900 px-4 py-1.5 text-sm text-white hover:bg-neutral-700"
          data-testid="search-submit"
        >
          搜索
        </button>
        <Link
          href="/admin/users"
          className="rounded-md px-3 py-1.5 text-sm text-neutral-600 hover:bg-neutral-100"
          data-testid="reset-filters"
        >
          清除
        </Link>
      </div>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Select
          name="scope"
          label="授权范围"
          value={query.scope}
          options={[
            ["", "全部"],
            ["snsapi_base", "静默（snsapi_base）"],
            ["snsapi_userinfo", "资料（snsapi_userinfo）"],
          ]}
        />
        <Select
          name="unionid"
          label="UnionID"
          value={query.unionid}
          options={[
            ["", "全部"],
            ["yes", "有"],
            ["no", "无"],
          ]}
        />
        <Select
          name="subscribed"
          label="关注公众号"
          value={query.subscribed}
          options={[
            ["", "全部"],
            ["yes", "已关注"],
            ["no", "未关注"],
            ["unknown", "未知"],
          ]}
        />
        <Select
          name="snapshot"
          label="快照页访问"
          value={query.snapshot}
          options={[
            ["", "全部"],
            ["yes", "有过"],
          ]}
        />
        {/* Only once the follower sync has fetched tags; a tag in the URL that is no longer listed still shows. */}
        {(tags.length > 0 || query.tag !== undefined) && (
          <Select
            name="tag"
            label="标签"
            value={query.tag === undefined ? undefined : String(query.tag)}
            options={[
              ["", "全部"],
              ...tags.map((t): [string, string] => [String(t.id), t.name]),
              ...(query.tag !== undefined && !tags.some((t) => t.id === query.tag)
                ? [[String(query.tag), `标签 ${query.tag}`] as [string, string]]
                : []),
            ]}
          />
        )}
        {(qrCodes.length > 0 || query.qrScene !== undefined) && (
          <Select
            name="qrScene"
            label="来源二维码"
            value={query.qrScene}
            options={[
              ["", "全部"],
              ...qrCodes.map((c): [string, string] => [c.scene, c.name]),
              ...(query.qrScene !== undefined && !qrCodes.some((c) => c.scene === query.qrScene)
                ? [[query.qrScene, query.qrScene] as [string, string]]
                : []),
            ]}
          />
        )}
        <Select
          name="sort"
          label="排序"
          value={query.sort}
          options={[
            ["created", "注册时间"],
            ["login", "最近登录"],
          ]}
        />
        <Select
          name="dir"
          label="顺序"
          value={query.dir}
          options={[
            ["desc", "新的在前"],
            ["asc", "旧的在前"],
          ]}
        />
        <DateRange
          label="注册时间"
          names={["createdFrom", "createdTo"]}
          value={[query.createdFrom, query.createdTo]}
          onPick={(createdFrom, createdTo) => go({ createdFrom, createdTo })}
        />
        <DateRange
          label="最近登录"
          names={["loginFrom", "loginTo"]}
          value={[query.loginFrom, query.loginTo]}
          onPick={(loginFrom, loginTo) => go({ loginFrom, loginTo })}
        />
      </div>
      {query.limit !== DEFAULT_LIMIT && <input type="hidden" name="limit" value={query.limit} />}
      <p className="text-xs text-neutral-400">日期按北京时间，含起止当天。</p>
    </form>
  );
}
