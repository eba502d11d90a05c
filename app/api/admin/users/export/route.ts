// GET /api/admin/users/export?<the list's filters>: every matching user as CSV, streamed from the
// database a thousand rows at a time (lib/admin/users exportUsersCsv), so a million rows never sit in
// memory. Paging cursors and the page size are ignored: the export is the whole filter.
import { adminRoute } from "@/lib/admin/guard";
import { exportUsersCsv, userListDeps } from "@/lib/admin/users";
import { parseUserQuery, shanghaiToday } from "@/lib/admin/user-query";
import { AppError, errorResponse } from "@/lib/errors";

export const GET = adminRoute(async (request) => {
  const parsed = parseUserQuery(new URL(request.url).searchParams);
  if (!parsed.ok) {
    return errorResponse(new AppError("bad_request"), { route: "admin/users/export" }, { issues: parsed.issues });
  }
  const { after: _after, before: _before, limit: _limit, ...filter } = parsed.query;
  return new Response(exportUsersCsv(userListDeps(), filter), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="users-${shanghaiToday()}.csv"`,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
