// /admin/orders (订单): WeChat Pay orders, newest first, with filters (state, Beijing days, ¥ amounts, the
// person, an order number), keyset pages and a CSV export of the whole filter. Server-rendered from
// lib/admin/orders: one statement per page whatever the table's size (see there for the indexes).
import Link from "next/link";
import { requireStaffPage } from "@/lib/admin/guard";
import { isOrderFiltered, orderQueryHref, parseOrderQuery } from "@/lib/admin/order-query";
import { listOrders } from "@/lib/admin/orders";
import { services } from "@/lib/services";
import { LinkButton } from "@/app/admin/back-link";
import { OrderFilters } from "./order-filters";
import { OrderTable } from "./order-table";

export const dynamic = "force-dynamic";

export default async function OrdersPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireStaffPage();
  const parsed = parseOrderQuery(await props.searchParams);
  if (!parsed.ok) {
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-xl font-semibold">订单</h1>
        <div role="alert" data-testid="query-error" className="rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <p className="font-medium">筛选条件有误，请修改后重试：</p>
          <ul className="mt-1 list-disc pl-5">
            {parsed.issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
          <Link href="/admin/orders" className="mt-2 inline-block underline" data-testid="reset-filters">
            清除全部筛选
          </Link>
        </div>
      </div>
    );
  }
  const query = parsed.query;
  const page = await listOrders(services.userList, query);
  const { after: _after, before: _before, limit: _limit, ...filter } = query;
  const exportHref = orderQueryHref("/api/admin/orders/export.csv", filter, { cursors: false });
  const base = { ...filter, limit: query.limit };
  const prevHref = page.prev ? orderQueryHref("/admin/orders", { ...base, before: page.prev }) : null;
  const nextHref = page.next ? orderQueryHref("/admin/orders", { ...base, after: page.next }) : null;
  // `from` goes to the order's page, so that its "返回订单列表" comes back to this very view.
  const from = orderQueryHref("", query).replace(/^\?/, "");

  return (
    <div className="flex flex-col gap-4">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">订单</h1>
        <p className="text-sm text-neutral-500" data-testid="order-count">
          {isOrderFiltered(filter) ? "筛选结果：" : ""}本页 {page.rows.length} 笔{page.next ? "，后面还有" : ""}
        </p>
      </header>
      <OrderFilters key={orderQueryHref("", filter)} query={filter} />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <nav aria-label="翻页" className="flex gap-2">
          {prevHref ? (
            <LinkButton href={prevHref} icon="previous" testId="prev-page">
              上一页
            </LinkButton>
          ) : null}
          {nextHref ? (
            <LinkButton href={nextHref} icon="next" testId="next-page">
              下一页
            </LinkButton>
          ) : null}
        </nav>
        <a
          href={exportHref}
          data-testid="export-csv"
          className="rounded-md border border-neutral-300 bg-white px-3 py-1.5 text-sm text-neutral-700! hover:bg-neutral-100"
        >
          导出 CSV
        </a>
      </div>
      <OrderTable
        rows={page.rows}
        from={from}
        empty={isOrderFiltered(filter) ? "没有符合条件的订单，试试放宽筛选条件。" : "还没有订单。"}
      />
    </div>
  );
}
