// GET /api/admin/users/export?<the list's filters>: every matching user as CSV, streamed from the
// database a thousand rows at a time (lib/admin/users exportUsersCsv), so a million rows never sit in
// memory. Paging cursors and the page size are ignored: the export is the whole filter.
import { adminRoute } from "@/lib/admin/guard";
import { exportUsersCsv, requireUserQuery } from "@/lib/admin/users";
import { shanghaiToday } from "@/lib/admin/user-query";
import { services } from "@/lib/services";

export const GET = adminRoute(async (request) => {
  const { after: _after, before: _before, limit: _limit, ...filter } = requireUserQuery(request);
  return new Response(exportUsersCsv(services.userList, filter), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="users-${shanghaiToday()}.csv"`,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
