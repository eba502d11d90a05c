// GET /api/admin/orders/export.csv?<the list's filters>: every matching order as CSV (UTF-8 with a BOM
// for Excel, amounts in yuan, Beijing time), streamed from the database a thousand rows at a time by
// keyset, so however many orders match, memory holds one batch. Cursors and the page size are ignored.
import { adminRoute } from "@/lib/admin/guard";
import { exportOrdersCsv, requireOrderQuery } from "@/lib/admin/orders";
import { shanghaiToday } from "@/lib/admin/user-query";
import { services } from "@/lib/services";

export const GET = adminRoute(async (request) => {
  const { after: _after, before: _before, limit: _limit, ...filter } = requireOrderQuery(request);
  return new Response(exportOrdersCsv(services.userList, filter), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="orders-${shanghaiToday()}.csv"`,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
});
