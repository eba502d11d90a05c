import "server-only";
// The list's 20–200 rows as one HTML string, which the page hands to <tbody dangerouslySetInnerHTML>.
//
// Why not JSX: a server component's elements are rendered twice per request (the RSC payload, then the
// HTML from it) and every element and prop is serialised in the payload again; 50 rows of JSX were about
// 1,500 elements, 50–80 ms of server CPU and 210 KB per response, which made this page 20x the cost of a
// bare route. As one string the rows cost a few hundred microseconds to build and travel once in each
// form. The price is that escaping is ours: every value from the database goes through `escapeHtml`, and
// the only markup is the literal text below (rows-html.test.ts feeds it hostile nicknames). Their look is in
// user-table.css, under the table's class `user-table`.
import { formatShanghaiTime } from "@/lib/admin/user-query";
import type { UserListRow } from "@/lib/admin/users";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const UNSAFE = /[&<>"']/g;

/** Text safe inside an element or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(UNSAFE, (c) => ESCAPES[c]!);
}

/** The scope's badge: its label, and a class of user-table.css. */
const SCOPE_BADGE: Record<string, { label: string; style: string }> = {
  snsapi_base: { label: "静默", style: "sc" },
  snsapi_userinfo: { label: "资料", style: "sc ui" },
};

export interface RowsOptions {
  /** The list's query string, handed to the person's page so that "返回用户列表" comes back to this view. */
  readonly from: string;
  /** Admins get a checkbox per row for bulk actions (the `user-selection` form of <BulkActions />). */
  readonly selectable: boolean;
}

/** The <tr> elements of the list, escaped. */
export function userRowsHtml(rows: readonly UserListRow[], options: RowsOptions): string {
  const suffix = options.from ? `?from=${encodeURIComponent(options.from)}` : "";
  let html = "";
  for (const row of rows) html += rowHtml(row, suffix, options.selectable);
  return html;
}

// Attributes are single-quoted (escapeHtml escapes ' too): a double quote costs four bytes once the
// string is JSON inside the React payload inside a <script>, a single quote one.
function rowHtml(row: UserListRow, hrefSuffix: string, selectable: boolean): string {
  const id = escapeHtml(row.id);
  const name = row.nickname || "微信用户";
  const initial = escapeHtml(Array.from(name)[0] ?? "微");
  const scope = SCOPE_BADGE[row.scope] ?? { label: row.scope, style: "sc" };
  const remark = row.remark === null ? null : escapeHtml(row.remark);
  // A broken image with an empty alt draws nothing, so an expired WeChat avatar URL falls back to the
  // initial under it, without client JavaScript.
  const img = row.headimgurl
    ? `<img src='${escapeHtml(row.headimgurl)}' alt='' width='32' height='32' loading='lazy' referrerpolicy='no-referrer'>`
    : "";
  const checkbox = selectable
    ? `<td><input type='checkbox' name='uid' value='${id}' form='user-selection' aria-label='选择 ${escapeHtml(name)}'></td>`
    : "";
  const nickname = row.nickname === null ? `<span class='na'>（未授权资料）</span>` : escapeHtml(row.nickname);
  return (
    `<tr data-testid='user-row' data-user-id='${id}'>${checkbox}` +
    // A plain link: next/link would prefetch 50 dynamic pages as soon as the table scrolls into view.
    `<td><a href='${escapeHtml(`/admin/users/${encodeURIComponent(row.id)}${hrefSuffix}`)}' class='u' data-testid='user-link'>` +
    `<span class='av'><span aria-hidden='true' data-testid='avatar-fallback'>${initial}</span>${img}</span>` +
    `<span class='nn' data-testid='user-nickname'${remark === null ? "" : ` title='备注：${remark}'`}>${nickname}</span>` +
    (remark === null ? "" : `<span class='rm'>${remark}</span>`) +
    `</a></td>` +
    idCell("user-openid", row.openid) +
    idCell("user-unionid", row.unionid) +
    `<td><span class='${scope.style}' title='${escapeHtml(row.scope)}' data-testid='user-scope'>${escapeHtml(scope.label)}</span></td>` +
    `<td data-testid='user-subscribed'>${row.subscribed === null ? `<span class='na'>未知</span>` : row.subscribed ? "是" : "否"}</td>` +
    `<td class='t' data-testid='user-created'>${formatShanghaiTime(row.createdAt, "minute")}</td>` +
    `<td class='t' data-testid='user-last-login'>${formatShanghaiTime(row.lastLoginAt, "minute")}</td>` +
    `</tr>`
  );
}

function idCell(testId: string, value: string | null): string {
  if (value === null) return `<td><span class='id' data-testid='${testId}'>—</span></td>`;
  const text = escapeHtml(value);
  return `<td><span class='id' title='${text}' data-testid='${testId}'>${text}</span></td>`;
}
