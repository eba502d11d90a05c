// GET /api/admin/users?<the list's query>: one keyset page as JSON. It is the list page's data (the page
// is a static shell that draws these rows in the browser), so it carries the table's columns only; the
// CSV export has every column.
import { adminRoute } from "@/lib/admin/guard";
import { listUsers, requireUserQuery, type UserListRow } from "@/lib/admin/users";
import { encodeCursor } from "@/lib/admin/user-query";
import { services } from "@/lib/services";

/**
 * A row as the table shows it (app/admin/(static)/users/user-list.tsx reads these with zod). lastLoginAt is
 * null for a person who never logged in (a follower from a sync or a subscribe push).
 */
function tableRow(row: UserListRow) {
  const { id, nickname, headimgurl, openid, unionid, scope, subscribed, remark, blacklisted, createdAt } = row;
  const lastLoginAt = row.loggedIn ? row.lastLoginAt : null;
  return { id, nickname, headimgurl, openid, unionid, scope, subscribed, remark, blacklisted, createdAt, lastLoginAt };
}

export const GET = adminRoute(async (request) => {
  const page = await listUsers(services.userList, requireUserQuery(request));
  return {
    users: page.rows.map(tableRow),
    next: page.next ? encodeCursor(page.next) : null,
    prev: page.prev ? encodeCursor(page.prev) : null,
    estimatedTotal: page.estimatedTotal,
  };
});
