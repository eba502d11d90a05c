"use client";
// The order list's filters in an antd Form. Amounts are typed in yuan (¥) and go to the URL in fen; days are
// Beijing calendar days. 搜索 goes to the canonical URL of the whole query (a view is a URL: it can be
// shared, and back works), from the first page.
import { Button, DatePicker, Form, Input, Select } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useRouter } from "next/navigation";
import {
  fenToYuan,
  ORDER_STATE_LABEL,
  ORDER_STATES,
  orderQueryHref,
  yuanToFen,
  type OrderFilter,
} from "@/lib/admin/order-query";
import { shanghaiToday } from "@/lib/admin/user-query";

const DAY = "YYYY-MM-DD";

interface Values {
  state?: string;
  days?: [Dayjs | null, Dayjs | null] | null;
  minYuan?: string;
  maxYuan?: string;
  q?: string;
  no?: string;
}

const yuanRule = {
  validator: (_: unknown, value: string | undefined) =>
    !value || yuanToFen(value) !== undefined ? Promise.resolve() : Promise.reject(new Error("请输入金额，如 12.50")),
};

function presets(): { label: string; value: [Dayjs, Dayjs] }[] {
  const today = dayjs(shanghaiToday(), DAY);
  return [
    { label: "今天", value: [today, today] },
    { label: "最近 7 天", value: [today.subtract(6, "day"), today] },
    { label: "最近 30 天", value: [today.subtract(29, "day"), today] },
  ];
}

export function OrderFilters({ query }: { query: OrderFilter }) {
  const router = useRouter();
  const initial: Values = {
    state: query.state,
    days:
      query.from || query.to
        ? [query.from ? dayjs(query.from, DAY) : null, query.to ? dayjs(query.to, DAY) : null]
        : null,
    minYuan: query.minAmount !== undefined ? fenToYuan(query.minAmount) : undefined,
    maxYuan: query.maxAmount !== undefined ? fenToYuan(query.maxAmount) : undefined,
    q: query.q,
    no: query.no,
  };
  const search = (v: Values) => {
    const filter: OrderFilter = {
      state: (v.state || undefined) as OrderFilter["state"],
      from: v.days?.[0]?.format(DAY),
      to: v.days?.[1]?.format(DAY),
      minAmount: v.minYuan ? yuanToFen(v.minYuan) : undefined,
      maxAmount: v.maxYuan ? yuanToFen(v.maxYuan) : undefined,
      q: v.q?.trim() || undefined,
      no: v.no?.trim() || undefined,
    };
    router.push(orderQueryHref("/admin/orders", filter));
  };
  return (
    <Form<Values>
      layout="inline"
      initialValues={initial}
      onFinish={search}
      className="gap-y-2 rounded-xl bg-white p-4 shadow-sm"
      data-testid="order-filters"
    >
      <Form.Item name="state" label="状态">
        <Select
          allowClear
          placeholder="全部"
          style={{ width: 120 }}
          data-testid="filter-state"
          options={ORDER_STATES.map((s) => ({ value: s, label: ORDER_STATE_LABEL[s] }))}
        />
      </Form.Item>
      <Form.Item name="days" label="下单日期">
        <DatePicker.RangePicker
          format={DAY}
          allowEmpty={[true, true]}
          placeholder={["开始日期", "结束日期"]}
          presets={presets()}
          id={{ start: "filter-from", end: "filter-to" }}
        />
      </Form.Item>
      <Form.Item label="金额" style={{ marginInlineEnd: 8 }}>
        <span className="flex items-center gap-1">
          <Form.Item name="minYuan" rules={[yuanRule]} noStyle>
            <Input prefix="¥" placeholder="最低" style={{ width: 110 }} data-testid="filter-min" inputMode="decimal" />
          </Form.Item>
          –
          <Form.Item name="maxYuan" rules={[yuanRule]} noStyle>
            <Input prefix="¥" placeholder="最高" style={{ width: 110 }} data-testid="filter-max" inputMode="decimal" />
          </Form.Item>
        </span>
      </Form.Item>
      <Form.Item name="q" label="用户">
        <Input placeholder="用户 ID、openid、unionid 或昵称" style={{ width: 240 }} data-testid="filter-q" allowClear />
      </Form.Item>
      <Form.Item name="no" label="订单号">
        <Input placeholder="商户订单号或微信支付订单号" style={{ width: 260 }} data-testid="filter-no" allowClear />
      </Form.Item>
      <Form.Item>
        <span className="flex gap-2">
          <Button type="primary" htmlType="submit" data-testid="filter-submit">
            搜索
          </Button>
          <Button href="/admin/orders" data-testid="filter-reset">
            清除
          </Button>
        </span>
      </Form.Item>
    </Form>
  );
}
