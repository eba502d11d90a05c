// /admin/users: the user list. Every view is a URL (GET form, cursor links), so it can be shared and the
// back button works; the page parses the query with lib/admin/user-query and asks lib/admin/users for one
// keyset page. No page numbers and no exact total: see lib/admin/users.ts for why.
import Link from "next/link";
import { redirect } from "next/navigation";
import { requireStaffPage } from "@/lib/admin/guard";
import { listTagOptions, listUsers, userListDeps } from "@/lib/admin/users";
import {
  isFiltered,
  parseUserQuery,
  userQueryHref,
  userQueryToSearchParams,
  type UserQuery,
} from "@/lib/admin/user-query";
import { BulkActions } from "./bulk-actions";
import { FilterForm } from "./filter-form";
import { userRowsHtml } from "./rows-html";
import "./user-table.css";

export const dynamic = "force-dynamic";

const COUNT_FORMAT = new Intl.NumberFormat("zh-CN");
const LINK_BUTTON =
  "rounded-md border border-neutral-300 bg-white px-3 py-1.5 text-sm text-neutral-700 hover:bg-neutral-100";

export default async function UsersPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const staff = await requireStaffPage();
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
  const deps = userListDeps();
  const [page, tags] = await Promise.all([listUsers(deps, query), listTagOptions(deps)]);
  const { after: _after, before: _before, ...withoutCursor } = query;
  const exportHref = userQueryHref(
    "/api/admin/users/export",
    { ...withoutCursor, limit: undefined },
    { cursors: false },
  );
  const selectable = staff.role === "admin";
  // Rows are one escaped HTML string (see rows-html.ts); `from` goes to the person's page, so that its
  // "返回用户列表" comes back to this very view.
  const rows = userRowsHtml(page.rows, { from: canonical, selectable });

  return (
    <div className="flex flex-col gap-4">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">用户</h1>
        <p className="text-sm text-neutral-500" data-testid="user-count">
          {!isFiltered(query) && page.estimatedTotal !== null
            ? `约 ${COUNT_FORMAT.format(page.estimatedTotal)} 位用户`
            : "筛选结果"}
        </p>
      </header>

      <FilterForm query={query} tags={tags} />

      <div className="flex flex-wrap items-center justify-between gap-2">
        <Pager query={query} prev={page.prev} next={page.next} />
        {selectable && <BulkActions tags={tags} />}
        <a href={exportHref} data-testid="export-csv" className={LINK_BUTTON}>
          导出 CSV
        </a>
      </div>

      <div className="overflow-x-auto rounded-lg border border-neutral-200 bg-white">
        <table className="user-table w-full min-w-[56rem] text-left text-sm" data-testid="user-table">
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
          <tbody dangerouslySetInnerHTML={{ __html: rows }} />
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

function searchString(searchParams: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, v);
  }
  return params.toString();
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
  const link = LINK_BUTTON;
  const off = "rounded-md border border-neutral-200 px-3 py-1.5 text-sm text-neutral-300";
  // Test ids only on the top pager, so that tests find exactly one of each. No prefetch: each would be a
  // full render of a dynamic page for a click that mostly never comes.
  const id = (name: string) => (bottom ? undefined : name);
  return (
    <nav aria-label={bottom ? "翻页（底部）" : "翻页"} className="flex gap-2">
      {prev ? (
        <Link
          href={userQueryHref("/admin/users", { ...base, before: prev })}
          className={link}
          data-testid={id("prev-page")}
          rel="prev"
          prefetch={false}
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
          prefetch={false}
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
