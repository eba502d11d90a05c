"use client";
// The user list, drawn in the browser. Every view is still a URL (filters, cursors), so it can be shared
// and the back button works: the URL is parsed with lib/admin/user-query exactly as the API parses it,
// made canonical with router.replace, and one keyset page is asked of GET /api/admin/users. The list,
// the account's tags (for the filter) and whoami (for the role, in the frame) are asked at the same time.
// No page numbers and no exact total: see lib/admin/users.ts for why.
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { z } from "../../client-zod";
import {
  decodeCursor,
  isFiltered,
  parseUserQuery,
  userQueryHref,
  userQueryToSearchParams,
  type UserQuery,
} from "@/lib/admin/user-query";
import { consoleFetch, type ConsoleAnswer } from "../../console-fetch";
import { useStaff } from "../staff-frame";
import { BulkActions, type TagOption } from "./bulk-actions";
import { ColumnSettings, useHiddenColumns } from "./column-settings";
import type { QrOption } from "./filter-form";
import { FilterForm } from "./filter-form";
import { UserTable } from "./user-table";

const COUNT_FORMAT = new Intl.NumberFormat("zh-CN");
const LINK_BUTTON =
  "rounded-md border border-neutral-300 bg-white px-3 py-1.5 text-sm text-neutral-700 hover:bg-neutral-100";

/** The JSON list's answer (app/api/admin/users/route.ts), as the table needs it. */
const listAnswer = z.object({
  users: z.array(
    z.object({
      id: z.string(),
      nickname: z.string().nullable(),
      headimgurl: z.string().nullable(),
      openid: z.string().nullable(),
      unionid: z.string().nullable(),
      scope: z.string(),
      subscribed: z.boolean().nullable(),
      remark: z.string().nullable(),
      blacklisted: z.boolean(),
      createdAt: z.iso.datetime(),
      /** null: never logged in (a follower from a sync or a subscribe push) */
      lastLoginAt: z.iso.datetime().nullable(),
    }),
  ),
  next: z.string().nullable(),
  prev: z.string().nullable(),
  estimatedTotal: z.number().nullable(),
});
type ListAnswer = z.infer<typeof listAnswer>;

const tagsAnswer = z.object({ tags: z.array(z.object({ id: z.number(), name: z.string() })) });

/** At most this many tags in the filter's <select> (WeChat allows an account 100). */
const MAX_TAG_OPTIONS = 500;

/** The account's tags by name, or [] until they come (or if they cannot: the list works without them). */
function useTags(): readonly TagOption[] {
  const [tags, setTags] = useState<readonly TagOption[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    void consoleFetch("/api/admin/tags", { schema: tagsAnswer, signal: controller.signal }).then((answer) => {
      if (answer.kind !== "ok") return;
      const byName = [...answer.data.tags].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
      setTags(byName.slice(0, MAX_TAG_OPTIONS).map(({ id, name }) => ({ id, name })));
    });
    return () => controller.abort();
  }, []);
  return tags;
}

const qrCodesAnswer = z.object({ qrCodes: z.array(z.object({ scene: z.string(), name: z.string() })) });

/** The channel QR codes, for the 来源二维码 filter, or [] until they come (the list works without them). */
function useQrCodes(): readonly QrOption[] {
  const [codes, setCodes] = useState<readonly QrOption[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    void consoleFetch("/api/admin/qrcodes", { schema: qrCodesAnswer, signal: controller.signal }).then((answer) => {
      if (answer.kind === "ok") setCodes(answer.data.qrCodes.map(({ scene, name }) => ({ scene, name })));
    });
    return () => controller.abort();
  }, []);
  return codes;
}

/** The page of `key` (the canonical query string plus a reload count), fetched whenever the key changes. */
function useListPage(search: string | null, reloads: number): ConsoleAnswer<ListAnswer> | "loading" {
  const key = search === null ? null : `${reloads}|${search}`;
  const [loaded, setLoaded] = useState<{ key: string; answer: ConsoleAnswer<ListAnswer> } | null>(null);
  useEffect(() => {
    if (key === null || search === null) return;
    const controller = new AbortController();
    void consoleFetch(`/api/admin/users${search ? `?${search}` : ""}`, {
      schema: listAnswer,
      signal: controller.signal,
    }).then((answer) => {
      if (answer.kind !== "gone") setLoaded({ key, answer });
    });
    return () => controller.abort();
  }, [key, search]);
  // A page fetched for another URL is never shown, not even for a moment: its pager links would be wrong.
  return loaded && loaded.key === key ? loaded.answer : "loading";
}

export function UserList() {
  const router = useRouter();
  const raw = useSearchParams().toString();
  const parsed = parseUserQuery(new URLSearchParams(raw));
  const canonical = parsed.ok ? userQueryToSearchParams(parsed.query).toString() : null;
  const [reloads, setReloads] = useState(0);
  // The ticked rows belong to the view they were ticked in: another page, filter or reload starts empty.
  const selectionKey = `${reloads}|${canonical}`;
  const [selected, setSelected] = useState<{ key: string; ids: string[] }>({ key: "", ids: [] });
  const selection = selected.key === selectionKey ? selected.ids : [];
  // The three requests start together, in the same commit (this page's two, the frame's whoami).
  const page = useListPage(canonical, reloads);
  const tags = useTags();
  const qrCodes = useQrCodes();
  const { staff, settled } = useStaff();
  const [hiddenColumns, setHiddenColumns] = useHiddenColumns();
  /** The rows again (after a bulk action, or 重试); `keep` stays ticked in the view fetched anew. */
  const reload = (keep: readonly string[] = []) => {
    setSelected({ key: `${reloads + 1}|${canonical}`, ids: [...keep] });
    setReloads(reloads + 1);
  };

  // A submitted form or a hand-made URL can say the same thing longer: show the short canonical URL that
  // links, history and sharing use. In place (no history entry), while the page is already being fetched.
  useEffect(() => {
    if (canonical !== null && canonical !== raw)
      router.replace(canonical ? `/admin/users?${canonical}` : "/admin/users");
  }, [canonical, raw, router]);

  if (!parsed.ok) {
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-xl font-semibold">用户</h1>
        <div role="alert" data-testid="query-error" className="rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <p className="font-medium">筛选条件有误，请修改后重试：</p>
          <ul className="mt-1 list-disc pl-5">
            {parsed.issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
          <Link href="/admin/users" className="mt-2 inline-block underline" data-testid="reset-filters">
            清除全部筛选
          </Link>
        </div>
      </div>
    );
  }

  const query = parsed.query;
  const { after: _after, before: _before, ...withoutCursor } = query;
  const exportHref = userQueryHref(
    "/api/admin/users/export",
    { ...withoutCursor, limit: undefined },
    { cursors: false },
  );
  const selectable = staff?.role === "admin";
  // 群发 to exactly this list: its filters (no page position, no sort) as the recipients' query.
  const filterSearch = userQueryHref("", { ...withoutCursor, limit: undefined }, { cursors: false }).replace(/^\?/, "");
  const massSendHref = `/admin/messages/new?${new URLSearchParams({ query: filterSearch })}`;
  // Rows wait for the role too (both asked at once), so that the selection column does not pop in later.
  const ready = page !== "loading" && settled ? page : "loading";
  const data = ready !== "loading" && ready.kind === "ok" ? ready.data : null;
  // `from` goes to the person's page, so that its "返回用户列表" comes back to this very view.
  const rowSuffix = canonical ? `?from=${encodeURIComponent(canonical)}` : "";

  return (
    <div className="flex flex-col gap-4">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">用户</h1>
        {data && (
          <p className="text-sm text-neutral-500" data-testid="user-count">
            {!isFiltered(query) && data.estimatedTotal !== null
              ? `约 ${COUNT_FORMAT.format(data.estimatedTotal)} 位用户`
              : // Keyset paging has no exact total of a filtered view (lib/admin/users.ts): say what is known.
                `筛选结果：本页 ${COUNT_FORMAT.format(data.users.length)} 位${data.next ? "，后面还有" : ""}`}
          </p>
        )}
      </header>

      {/* Keyed by the filters: back, forward and "清除" show the fields of the view they land on. */}
      <FilterForm key={userQueryHref("", { ...withoutCursor })} query={query} tags={tags} qrCodes={qrCodes} />

      <div className="flex flex-wrap items-center justify-between gap-2">
        <Pager query={query} page={data} />
        {selectable && <BulkActions tags={tags} selected={selection} onDone={reload} />}
        <span className="flex flex-wrap gap-2">
          <ColumnSettings hidden={hiddenColumns} onChange={setHiddenColumns} />
          {selectable && (
            <a href={massSendHref} data-testid="mass-send-link" className={LINK_BUTTON}>
              群发模板消息
            </a>
          )}
          <a href={exportHref} data-testid="export-csv" className={LINK_BUTTON}>
            导出 CSV
          </a>
        </span>
      </div>

      {ready !== "loading" && ready.kind === "error" ? (
        <div role="alert" data-testid="user-list-error" className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800">
          <p>用户列表加载失败：{ready.message}</p>
          <button type="button" className="mt-2 underline" onClick={() => reload()}>
            重试
          </button>
        </div>
      ) : (
        <UserTable
          rows={data?.users ?? null}
          suffix={rowSuffix}
          selectable={selectable}
          selected={selection}
          onSelect={(ids) => setSelected({ key: selectionKey, ids })}
          empty={isFiltered(query) ? "没有符合条件的用户，试试放宽筛选条件。" : "还没有用户。"}
          hidden={hiddenColumns}
        />
      )}

      <Pager query={query} page={data} bottom />
    </div>
  );
}

function Pager({ query, page, bottom = false }: { query: UserQuery; page: ListAnswer | null; bottom?: boolean }) {
  const { after: _after, before: _before, ...base } = query;
  // Test ids only on the top pager, so that tests find exactly one of each; none while loading, so that
  // a test never reads the pager of the page before.
  const id = (name: string) => (bottom || !page ? undefined : name);
  const href = (cursor: string | null | undefined, side: "before" | "after") =>
    cursor ? userQueryHref("/admin/users", { ...base, [side]: decodeCursor(cursor) }) : undefined;
  return (
    <nav aria-label={bottom ? "翻页（底部）" : "翻页"} className="flex gap-2">
      <PageLink href={href(page?.prev, "before")} rel="prev" label="上一页" testId={id("prev-page")} />
      <PageLink href={href(page?.next, "after")} rel="next" label="下一页" testId={id("next-page")} />
    </nav>
  );
}

/** A pager link, or the same label greyed out when there is no page that way (test id `<testId>-disabled`). */
function PageLink({ href, rel, label, testId }: { href?: string; rel: string; label: string; testId?: string }) {
  if (href) {
    return (
      <Link href={href} className={LINK_BUTTON} data-testid={testId} rel={rel}>
        {label}
      </Link>
    );
  }
  return (
    <span
      className="rounded-md border border-neutral-200 px-3 py-1.5 text-sm text-neutral-300"
      aria-disabled="true"
      data-testid={testId && `${testId}-disabled`}
    >
      {label}
    </span>
  );
}
