// GET /api/admin/orders?<the list's query>: one keyset page of WeChat Pay orders, newest first, as JSON
// (lib/admin/order-query.ts: state, from/to (Beijing days), minAmount/maxAmount (fen), q (person), no
// (out_trade_no or transaction_id), after/before, limit); a 400 naming every problem.
import { adminRoute } from "@/lib/admin/guard";
import { encodeCursor } from "@/lib/admin/order-query";
import { listOrders, requireOrderQuery } from "@/lib/admin/orders";
import { services } from "@/lib/services";

export const GET = adminRoute(async (request) => {
  const page = await listOrders(services.userList, requireOrderQuery(request));
  return {
    orders: page.rows,
    next: page.next ? encodeCursor(page.next) : null,
    prev: page.prev ? encodeCursor(page.prev) : null,
  };
});
