"use client";
// The order list's rows in an antd Table: order number (to the order's page), person, ¥ amount and what of
// it was refunded, state, Beijing times. Paging is the page's keyset links, not the Table's.
import { Table } from "antd";
import Link from "next/link";
import { displayState, formatYuan } from "@/lib/admin/order-query";
import { formatShanghaiTime } from "@/lib/admin/user-query";
import { OrderStateTag } from "./order-state";

export interface OrderRow {
  readonly id: string;
  readonly outTradeNo: string;
  readonly transactionId: string | null;
  readonly userId: string;
  readonly nickname: string | null;
  readonly description: string;
  readonly amount: number;
  readonly state: string;
  readonly refundedAmount: number;
  readonly createdAt: Date;
  readonly paidAt: Date | null;
}

export function OrderTable({ rows, from, empty }: { rows: readonly OrderRow[]; from: string; empty: string }) {
  const suffix = from ? `?from=${encodeURIComponent(from)}` : "";
  return (
    <Table<OrderRow>
      rowKey="id"
      size="middle"
      data-testid="order-table"
      dataSource={[...rows]}
      pagination={false}
      scroll={{ x: "max-content" }}
      locale={{ emptyText: <span data-testid="orders-empty">{empty}</span> }}
      onRow={(row) => ({ "data-testid": "order-row", "data-id": row.id }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        {
          title: "商户订单号",
          key: "outTradeNo",
          render: (_, row) => (
            <Link href={`/admin/orders/${row.id}${suffix}`} className="font-mono" data-testid="order-link">
              {row.outTradeNo}
            </Link>
          ),
        },
        { title: "商品", dataIndex: "description", key: "description", ellipsis: true },
        {
          title: "用户",
          key: "user",
          render: (_, row) => (
            <Link href={`/admin/users/${row.userId}`} data-testid="order-user">
              {row.nickname || "微信用户"}
            </Link>
          ),
        },
        {
          title: "金额",
          key: "amount",
          align: "right",
          render: (_, row) => (
            <span className="tabular-nums" data-testid="order-amount">
              {formatYuan(row.amount)}
              {row.refundedAmount > 0 && (
                <span className="block text-xs text-neutral-500">已退 {formatYuan(row.refundedAmount)}</span>
              )}
            </span>
          ),
        },
        { title: "状态", key: "state", render: (_, row) => <OrderStateTag state={displayState(row)} /> },
        {
          title: "下单时间（北京时间）",
          key: "createdAt",
          render: (_, row) => <span className="whitespace-nowrap">{formatShanghaiTime(row.createdAt)}</span>,
        },
        {
          title: "支付时间",
          key: "paidAt",
          render: (_, row) => (
            <span className="whitespace-nowrap">{row.paidAt ? formatShanghaiTime(row.paidAt) : "—"}</span>
          ),
        },
      ]}
    />
  );
}
