"use client";
// The user list, drawn in the browser. Every view is still a URL (filters, cursors), so it can be shared
// and the back button works: the URL is parsed with lib/admin/user-query exactly as the API parses it,
// made canonical with router.replace, and one keyset page is asked of GET /api/admin/users. The list,
// the account's tags (for the filter) and whoami (for the role, in the frame) are asked at the same time.
// No page numbers and no exact total: see lib/admin/users.ts for why.
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { z } from "zod";
import {
  decodeCursor,
  formatShanghaiTime,
  isFiltered,
  parseUserQuery,
  userQueryHref,
  userQueryToSearchParams,
  type UserQuery,
} from "@/lib/admin/user-query";
import { consoleFetch, type ConsoleAnswer } from "../../console-fetch";
import { useStaff } from "../staff-frame";
import { BulkActions, type TagOption } from "./bulk-actions";
import { FilterForm } from "./filter-form";

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
type Row = ListAnswer["users"][number];

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
  // The three requests start together, in the same commit (this page's two, the frame's whoami).
  const page = useListPage(canonical, reloads);
  const tags = useTags();
  const { staff, settled } = useStaff();

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
  // Rows wait for the role too (both asked at once), so that the selection column does not pop in later.
  const ready = page !== "loading" && settled ? page : "loading";
  const data = ready !== "loading" && ready.kind === "ok" ? ready.data : null;
  // `from` goes to the person's page, so that its "返回用户列表" comes back to this very view.
  const rowSuffix = canonical ? `?from=${encodeURIComponent(canonical)}` : "";
  const columns = selectable ? 8 : 7;

  return (
    <div className="flex flex-col gap-4">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">用户</h1>
        {data && (
          <p className="text-sm text-neutral-500" data-testid="user-count">
            {!isFiltered(query) && data.estimatedTotal !== null
              ? `约 ${COUNT_FORMAT.format(data.estimatedTotal)} 位用户`
              : "筛选结果"}
          </p>
        )}
      </header>

      {/* Keyed by the filters: back, forward and "清除" show the fields of the view they land on. */}
      <FilterForm key={userQueryHref("", { ...withoutCursor })} query={query} tags={tags} />

      <div className="flex flex-wrap items-center justify-between gap-2">
        <Pager query={query} page={data} />
        {selectable && <BulkActions tags={tags} onDone={() => setReloads((n) => n + 1)} />}
        <a href={exportHref} data-testid="export-csv" className={LINK_BUTTON}>
          导出 CSV
        </a>
      </div>

      {ready !== "loading" && ready.kind === "error" ? (
        <div role="alert" data-testid="user-list-error" className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800">
          <p>用户列表加载失败：{ready.message}</p>
          <button type="button" className="mt-2 underline" onClick={() => setReloads((n) => n + 1)}>
            重试
          </button>
        </div>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-neutral-200 bg-white">
          <table
            className="user-table w-full min-w-[56rem] text-left text-sm"
            data-testid="user-table"
            aria-busy={data ? undefined : true}
          >
            <thead className="border-b border-neutral-200 bg-neutral-50 text-xs text-neutral-500 [&_th]:px-3 [&_th]:py-2 [&_th]:font-medium">
              <tr>
                {selectable && (
                  <th scope="col">
                    <span className="sr-only">选择</span>
                  </th>
                )}
                <th scope="col">用户</th>
                <th scope="col">openid</th>
                <th scope="col">unionid</th>
                <th scope="col">授权</th>
                <th scope="col">已关注</th>
                <th scope="col">注册时间</th>
                <th scope="col">最近登录</th>
              </tr>
            </thead>
            <tbody>
              {data ? (
                data.users.map((row) => <UserRow key={row.id} row={row} suffix={rowSuffix} selectable={selectable} />)
              ) : (
                <tr>
                  <td colSpan={columns} className="py-10 text-center text-neutral-500" data-testid="user-list-loading">
                    正在加载用户列表…
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {data && data.users.length === 0 && (
            <p className="px-4 py-10 text-center text-sm text-neutral-500" data-testid="no-users">
              {isFiltered(query) ? "没有符合条件的用户，试试放宽筛选条件。" : "还没有用户。"}
            </p>
          )}
        </div>
      )}

      <Pager query={query} page={data} bottom />
    </div>
  );
}

/** The scope's badge: its label, and a class of user-table.css. */
const SCOPE_BADGE: Record<string, { label: string; style: string }> = {
  snsapi_base: { label: "静默", style: "sc" },
  snsapi_userinfo: { label: "资料", style: "sc ui" },
};

// The look is in user-table.css, under the table's class `user-table`.
function UserRow({ row, suffix, selectable }: { row: Row; suffix: string; selectable: boolean }) {
  const name = row.nickname || "微信用户";
  const scope = SCOPE_BADGE[row.scope] ?? { label: row.scope, style: "sc" };
  return (
    <tr data-testid="user-row" data-user-id={row.id}>
      {selectable && (
        <td>
          <input type="checkbox" name="uid" value={row.id} form="user-selection" aria-label={`选择 ${name}`} />
        </td>
      )}
      <td>
        {/* No prefetch: 50 links to dynamic pages, for a click that mostly never comes. */}
        <Link
          href={`/admin/users/${encodeURIComponent(row.id)}${suffix}`}
          prefetch={false}
          className="u"
          data-testid="user-link"
        >
          <span className="av">
            <span aria-hidden="true" data-testid="avatar-fallback">
              {Array.from(name)[0] ?? "微"}
            </span>
            {/* A broken image with an empty alt draws nothing, so an expired WeChat avatar URL leaves the
                initial under it visible. A plain <img>: next/image would proxy WeChat's images through us. */}
            {row.headimgurl && (
              // eslint-disable-next-line @next/next/no-img-element
              <img src={row.headimgurl} alt="" width={32} height={32} loading="lazy" referrerPolicy="no-referrer" />
            )}
          </span>
          <span
            className="nn"
            data-testid="user-nickname"
            title={row.remark === null ? undefined : `备注：${row.remark}`}
          >
            {row.nickname === null ? <span className="na">（未授权资料）</span> : row.nickname}
          </span>
          {row.remark !== null && <span className="rm">{row.remark}</span>}
        </Link>
      </td>
      <IdCell testId="user-openid" value={row.openid} />
      <IdCell testId="user-unionid" value={row.unionid} />
      <td>
        <span className={scope.style} title={row.scope} data-testid="user-scope">
          {scope.label}
        </span>
      </td>
      <td data-testid="user-subscribed">
        {row.subscribed === null ? <span className="na">未知</span> : row.subscribed ? "是" : "否"}
      </td>
      <td className="t" data-testid="user-created">
        {formatShanghaiTime(new Date(row.createdAt), "minute")}
      </td>
      <td className="t" data-testid="user-last-login">
        {row.lastLoginAt === null ? (
          <span className="na" title="通过关注或粉丝同步得知，尚未在网页中登录">
            从未登录
          </span>
        ) : (
          formatShanghaiTime(new Date(row.lastLoginAt), "minute")
        )}
      </td>
    </tr>
  );
}

function IdCell({ testId, value }: { testId: string; value: string | null }) {
  return (
    <td>
      <span className="id" title={value ?? undefined} data-testid={testId}>
        {value ?? "—"}
      </span>
    </td>
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
