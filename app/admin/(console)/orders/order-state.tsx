"use client";
// An order's state as a coloured antd Tag in Chinese (部分退款 told apart from 已支付), and a refund's.
import { Tag } from "antd";
import { ORDER_STATE_LABEL, type OrderStateFilter } from "@/lib/admin/order-query";

const COLOR: Record<OrderStateFilter, string> = {
  unpaid: "default",
  paid: "success",
  partial: "warning",
  refunded: "purple",
  closed: "default",
};

export function OrderStateTag({ state }: { state: string }) {
  const known = state in ORDER_STATE_LABEL ? (state as OrderStateFilter) : null;
  return (
    <Tag color={known ? COLOR[known] : "default"} data-testid="order-state" data-state={state}>
      {known ? ORDER_STATE_LABEL[known] : state}
    </Tag>
  );
}
