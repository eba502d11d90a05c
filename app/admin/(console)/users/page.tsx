// /admin/users: the user list. Every view is a URL (GET form, cursor links), so it can be shared and the
// back button works; the page parses the query with lib/admin/user-query and asks lib/admin/users for one
// keyset page. No page numbers and no exact total: see lib/admin/users.ts for why.
import Link from "next/link";
import { redirect } from "next/navigation";
import { requireStaffPage } from "@/lib/admin/guard";
import { listUsers, userListDeps, type UserListRow } from "@/lib/admin/users";
import {
  formatShanghaiTime,
  isFiltered,
  parseUserQuery,
  userQueryHref,
  userQueryToSearchParams,
  type UserQuery,
} from "@/lib/admin/user-query";
import { FilterForm } from "./filter-form";

export const dynamic = "force-dynamic";

const SCOPE_BADGE: Record<string, { label: string; style: string }> = {
  snsapi_base: { label: "静默", style: "bg-neutral-100 text-neutral-700" },
  snsapi_userinfo: { label: "资料", style: "bg-emerald-100 text-emerald-800" },
};

export default async function UsersPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireStaffPage();
  const searchParams = await props.searchParams;
  const parsed = parseUserQuery(searchParams);

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
  // A submitted GET form sends every field, empty or default; one redirect makes it the short canonical
  // URL that links, history and sharing use.
  const canonical = userQueryToSearchParams(query).toString();
  if (canonical !== searchString(searchParams)) redirect(canonical ? `/admin/users?${canonical}` : "/admin/users");
  const page = await listUsers(userListDeps(), query);
  const { after: _after, before: _before, ...withoutCursor } = query;
  const exportHref = userQueryHref(
    "/api/admin/users/export",
    { ...withoutCursor, limit: undefined },
    { cursors: false },
  );
  // Handed to the person's page, so that its "返回用户列表" comes back to this very view.
  const from = userQueryToSearchParams(query).toString();

  return (
    <div className="flex flex-col gap-4">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">用户</h1>
        <p className="text-sm text-neutral-500" data-testid="user-count">
          {!isFiltered(query) && page.estimatedTotal !== null
            ? `约 ${page.estimatedTotal.toLocaleString("zh-CN")} 位用户`
            : "筛选结果"}
        </p>
      </header>

      <FilterForm query={query} />

      <div className="flex flex-wrap items-center justify-between gap-2">
        <Pager query={query} prev={page.prev} next={page.next} />
        <a
          href={exportHref}
          data-testid="export-csv"
          className="rounded-md border border-neutral-300 bg-white px-3 py-1.5 text-sm text-neutral-700 hover:bg-neutral-100"
        >
          导出 CSV
        </a>
      </div>

      <div className="overflow-x-auto rounded-lg border border-neutral-200 bg-white">
        <table className="w-full min-w-[56rem] text-left text-sm" data-testid="user-table">
          <thead className="border-b border-neutral-200 bg-neutral-50 text-xs text-neutral-500">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                用户
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                openid
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                unionid
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                授权
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                已关注
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                注册时间
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                最近登录
              </th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((row) => (
              <UserRow key={row.id} row={row} from={from} />
            ))}
          </tbody>
        </table>
        {page.rows.length === 0 && (
          <p className="px-4 py-10 text-center text-sm text-neutral-500" data-testid="no-users">
            {isFiltered(query) ? "没有符合条件的用户，试试放宽筛选条件。" : "还没有用户。"}
          </p>
        )}
      </div>

      <Pager query={query} prev={page.prev} next={page.next} bottom />
    </div>
  );
}

/**
 * 32px avatar without client JavaScript: the name's first character sits under the image, and a broken
 * image with an empty alt draws nothing, so an expired WeChat avatar URL falls back by itself.
 */
function ListAvatar({ src, name }: { src: string | null; name: string }) {
  return (
    <span className="relative flex size-8 shrink-0 items-center justify-center overflow-hidden rounded bg-neutral-200 text-xs text-neutral-500">
      <span aria-hidden="true" data-testid="avatar-fallback">
        {Array.from(name)[0] ?? "微"}
      </span>
      {src && (
        // eslint-disable-next-line @next/next/no-img-element
        <img
          src={src}
          alt=""
          width={32}
          height={32}
          loading="lazy"
          referrerPolicy="no-referrer"
          className="absolute inset-0 size-8 object-cover"
        />
      )}
    </span>
  );
}

function searchString(searchParams: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, v);
  }
  return params.toString();
}

function UserRow({ row, from }: { row: UserListRow; from: string }) {
  const name = row.nickname || "微信用户";
  const href = `/admin/users/${encodeURIComponent(row.id)}${from ? `?from=${encodeURIComponent(from)}` : ""}`;
  const scope = SCOPE_BADGE[row.scope] ?? { label: row.scope, style: "bg-neutral-100 text-neutral-700" };
  return (
    <tr
      data-testid="user-row"
      data-user-id={row.id}
      className="border-b border-neutral-100 last:border-0 hover:bg-neutral-50"
    >
      <td className="px-3 py-2">
        {/* A plain link: next/link would prefetch 50 dynamic pages as soon as the table scrolls into view. */}
        <a href={href} className="flex items-center gap-2" data-testid="user-link">
          <ListAvatar src={row.headimgurl} name={name} />
          <span
            className="max-w-[12rem] truncate"
            data-testid="user-nickname"
            title={row.remark ? `备注：${row.remark}` : undefined}
          >
            {row.nickname ?? <span className="text-neutral-400">（未授权资料）</span>}
          </span>
          {row.remark && <span className="shrink-0 rounded bg-sky-50 px-1.5 text-xs text-sky-700">{row.remark}</span>}
        </a>
      </td>
      <td className="px-3 py-2">
        <span
          className="block max-w-[9rem] truncate font-mono text-xs"
          title={row.openid ?? undefined}
          data-testid="user-openid"
        >
          {row.openid ?? "—"}
        </span>
      </td>
      <td className="px-3 py-2">
        <span
          className="block max-w-[9rem] truncate font-mono text-xs"
          title={row.unionid ?? undefined}
          data-testid="user-unionid"
        >
          {row.unionid ?? "—"}
        </span>
      </td>
      <td className="px-3 py-2">
        <span className={`rounded px-1.5 py-0.5 text-xs ${scope.style}`} title={row.scope} data-testid="user-scope">
          {scope.label}
        </span>
      </td>
      <td className="px-3 py-2" data-testid="user-subscribed">
        {row.subscribed === null ? <span className="text-neutral-400">未知</span> : row.subscribed ? "是" : "否"}
      </td>
      <td className="whitespace-nowrap px-3 py-2 tabular-nums" data-testid="user-created">
        {formatShanghaiTime(row.createdAt, "minute")}
      </td>
      <td className="whitespace-nowrap px-3 py-2 tabular-nums" data-testid="user-last-login">
        {formatShanghaiTime(row.lastLoginAt, "minute")}
      </td>
    </tr>
  );
}

function Pager({
  query,
  prev,
  next,
  bottom = false,
}: {
  query: UserQuery;
  prev: UserQuery["before"];
  next: UserQuery["after"];
  bottom?: boolean;
}) {
  const { after: _after, before: _before, ...base } = query;
  const link =
    "rounded-md border border-neutral-300 bg-white px-3 py-1.5 text-sm text-neutral-700 hover:bg-neutral-100";
  const off = "rounded-md border border-neutral-200 px-3 py-1.5 text-sm text-neutral-300";
  // Test ids only on the top pager, so that tests find exactly one of each.
  const id = (name: string) => (bottom ? undefined : name);
  return (
    <nav aria-label={bottom ? "翻页（底部）" : "翻页"} className="flex gap-2">
      {prev ? (
        <Link
          href={userQueryHref("/admin/users", { ...base, before: prev })}
          className={link}
          data-testid={id("prev-page")}
          rel="prev"
        >
          上一页
        </Link>
      ) : (
        <span className={off} aria-disabled="true" data-testid={id("prev-page-disabled")}>
          上一页
        </span>
      )}
      {next ? (
        <Link
          href={userQueryHref("/admin/users", { ...base, after: next })}
          className={link}
          data-testid={id("next-page")}
          rel="next"
        >
          下一页
        </Link>
      ) : (
        <span className={off} aria-disabled="true" data-testid={id("next-page-disabled")}>
          下一页
        </span>
      )}
    </nav>
  );
}
