// /admin/orders/[id]: one WeChat Pay order: summary, the timeline merged from its events, refunds, webhook
// attempts and incidents (oldest first), its refunds, webhooks with each attempt, incidents (marked
// resolved here), and for admins the 退款 button (amount ≤ what can still be refunded, a reason).
import { notFound } from "next/navigation";
import { z } from "zod";
import { requireStaffPage } from "@/lib/admin/guard";
import { getOrderDetail, INCIDENT_KIND_LABEL, REFUND_STATE_LABEL, WEBHOOK_STATE_LABEL } from "@/lib/admin/order-detail";
import { formatYuan } from "@/lib/admin/order-query";
import { formatShanghaiTime } from "@/lib/admin/user-query";
import { services } from "@/lib/services";
import { BackLink } from "@/app/admin/back-link";
import { CopyableId } from "@/app/admin/copyable-id";
import { Term } from "@/app/admin/term";
import { OrderStateTag } from "../order-state";
import { RefundButton } from "./refund-button";
import { ResolveIncident } from "./resolve-incident";

export const dynamic = "force-dynamic";

const params = z.object({ id: z.string().min(1).max(64) });
const search = z.object({ from: z.string().max(2000).optional().catch(undefined) });

const time = (date: Date | null) => (date ? formatShanghaiTime(date) : "—");

export default async function OrderPage(props: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const staff = await requireStaffPage();
  const parsed = params.safeParse(await props.params);
  if (!parsed.success) notFound();
  const detail = await getOrderDetail(services.db, parsed.data.id);
  if (!detail) notFound();
  const { order, refunds, webhooks, incidents, timeline } = detail;
  const { from } = search.parse(await props.searchParams);
  // Only ever a query string on the list's own path.
  const query = from ? new URLSearchParams(from).toString() : "";
  const backHref = query ? `/admin/orders?${query}` : "/admin/orders";

  return (
    <div className="flex flex-col gap-6">
      <div>
        <BackLink href={backHref} testId="back-to-list">
          返回订单列表
        </BackLink>
      </div>

      <Section title="订单" testId="order-summary">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <h1 className="text-xl font-semibold" data-testid="order-description">
              {order.description}
            </h1>
            <p className="mt-1 flex flex-wrap items-center gap-2 text-2xl font-semibold tabular-nums">
              <span data-testid="order-amount">{formatYuan(order.amount)}</span>
              <OrderStateTag state={order.displayState} />
            </p>
          </div>
          {staff.role === "admin" && order.state === "paid" && (
            <RefundButton orderId={order.id} refundable={order.refundable} />
          )}
        </div>
        <dl className="mt-4 grid grid-cols-[9rem_1fr] gap-x-4 gap-y-2 text-sm">
          <Field label={<Term tip="out_trade_no：我们发给微信支付的订单号">商户订单号</Term>}>
            <CopyableId value={order.outTradeNo} testId="order-out-trade-no" />
          </Field>
          <Field label={<Term tip="transaction_id：支付成功后微信支付给出的订单号">微信支付订单号</Term>}>
            <CopyableId value={order.transactionId} testId="order-transaction-id" />
          </Field>
          <Field label="用户">
            <a href={`/admin/users/${order.userId}`} data-testid="order-user">
              {order.userExists ? order.nickname || "微信用户" : "（用户已不存在）"}
            </a>
            <span className="ml-2 text-xs text-neutral-500">
              openid <CopyableId value={order.openid} testId="order-openid" />
            </span>
          </Field>
          <Field label="已退款" testId="order-refunded">
            {formatYuan(order.refundedAmount)}
            {order.refundReserved > order.refundedAmount && (
              <span className="ml-2 text-xs text-neutral-500">
                另有 {formatYuan(order.refundReserved - order.refundedAmount)} 退款处理中
              </span>
            )}
          </Field>
          <Field label="可退金额" testId="order-refundable">
            {formatYuan(order.refundable)}
          </Field>
          {order.payerTotal !== null && order.payerTotal !== order.amount && (
            <Field label={<Term tip="payer_total：用户扣除优惠券后实际支付的金额">用户实付</Term>}>
              {formatYuan(order.payerTotal)}
            </Field>
          )}
          <Field label="下单时间">{time(order.createdAt)}</Field>
          <Field label="支付时间" testId="order-paid-at">
            {time(order.paidAt)}
          </Field>
          <Field label={<Term tip="time_expire：过了这个时间就不能再支付，订单会被关闭">支付期限</Term>}>
            {time(order.expiresAt)}
          </Field>
          {order.closedAt && <Field label="关闭时间">{time(order.closedAt)}</Field>}
          <Field label="来源">{order.caller === "internal" ? "内部接口" : order.caller}</Field>
          {order.attach && (
            <Field label={<Term tip="attach：下单时附带、支付后原样返回的数据">附加数据</Term>}>{order.attach}</Field>
          )}
          {order.webhookUrl && (
            <Field label="Webhook 地址">
              <span className="font-mono text-xs break-all">{order.webhookUrl}</span>
            </Field>
          )}
        </dl>
      </Section>

      <Section title="时间线（北京时间，最新在下）" testId="order-timeline">
        <ol className="flex flex-col gap-2 text-sm">
          {timeline.map((entry, i) => (
            <li
              key={`${entry.kind}-${i}`}
              data-testid="timeline-entry"
              data-kind={entry.kind}
              className="grid grid-cols-[11rem_1fr] gap-x-3"
            >
              <span className="text-neutral-500 tabular-nums">{time(entry.at)}</span>
              <span>
                <span className={entry.bad ? "font-medium text-red-700" : "font-medium"}>{entry.title}</span>
                {entry.detail && <span className="block text-xs break-all text-neutral-500">{entry.detail}</span>}
              </span>
            </li>
          ))}
        </ol>
      </Section>

      <Section title={`退款（${refunds.length}）`} testId="order-refunds">
        {refunds.length === 0 ? (
          <p className="text-sm text-neutral-500">没有退款。</p>
        ) : (
          <Table head={["时间", "金额", "状态", "原因", "操作人", "商户退款单号"]}>
            {refunds.map((r) => (
              <tr key={r.id} data-testid="refund-row" data-state={r.state} className="align-top">
                <Cell>{time(r.createdAt)}</Cell>
                <Cell testId="refund-amount">{formatYuan(r.amount)}</Cell>
                <Cell testId="refund-state">
                  {REFUND_STATE_LABEL[r.state] ?? r.state}
                  {r.error && <span className="block text-xs text-red-700">{r.error}</span>}
                </Cell>
                <Cell testId="refund-reason">{r.reason ?? "—"}</Cell>
                <Cell testId="refund-by">{r.createdBy === "internal" ? "内部接口" : r.createdBy}</Cell>
                <Cell mono>{r.outRefundNo}</Cell>
              </tr>
            ))}
          </Table>
        )}
      </Section>

      <Section title={`Webhook（${webhooks.length}）`} testId="order-webhooks">
        {webhooks.length === 0 ? (
          <p className="text-sm text-neutral-500">没有 webhook。</p>
        ) : (
          <div className="flex flex-col gap-4">
            {webhooks.map((w) => (
              <div key={w.id} data-testid="webhook" data-state={w.state}>
                <p className="text-sm">
                  <span className="font-medium">{w.event}</span> · {WEBHOOK_STATE_LABEL[w.state] ?? w.state}
                  {w.nextAttemptAt && w.state === "pending" && ` · 下次投递 ${time(w.nextAttemptAt)}`}
                </p>
                {w.attempts.length > 0 && (
                  <Table head={["次数", "时间", "应答", "耗时", "错误"]}>
                    {w.attempts.map((a) => (
                      <tr key={a.n} data-testid="webhook-attempt">
                        <Cell>{a.n}</Cell>
                        <Cell>{time(a.at)}</Cell>
                        <Cell>{a.status === null ? "无应答" : `HTTP ${a.status}`}</Cell>
                        <Cell>{a.ms} ms</Cell>
                        <Cell>{a.error ?? "—"}</Cell>
                      </tr>
                    ))}
                  </Table>
                )}
              </div>
            ))}
          </div>
        )}
      </Section>

      <Section title={`异常（${incidents.length}）`} testId="order-incidents">
        {incidents.length === 0 ? (
          <p className="text-sm text-neutral-500">没有异常。</p>
        ) : (
          <Table head={["时间", "类型", "应为", "收到", "来源", "处理"]}>
            {incidents.map((i) => (
              <tr key={i.id} data-testid="incident-row" className="align-top">
                <Cell>{time(i.createdAt)}</Cell>
                <Cell>{INCIDENT_KIND_LABEL[i.kind] ?? i.kind}</Cell>
                <Cell>{i.expected ?? "—"}</Cell>
                <Cell>{i.received ?? "—"}</Cell>
                <Cell mono>{i.source}</Cell>
                <Cell testId="incident-resolution">
                  {i.resolvedAt ? (
                    `${i.resolvedBy ?? ""} 于 ${time(i.resolvedAt)} 标记已处理`
                  ) : staff.role === "admin" ? (
                    <ResolveIncident orderId={order.id} incidentId={i.id} />
                  ) : (
                    "未处理"
                  )}
                </Cell>
              </tr>
            ))}
          </Table>
        )}
      </Section>
    </div>
  );
}

function Section({ title, testId, children }: { title: string; testId: string; children: React.ReactNode }) {
  return (
    <section aria-label={title} className="rounded-xl bg-white p-5 shadow-sm" data-testid={testId}>
      <h2 className="mb-3 font-medium">{title}</h2>
      {children}
    </section>
  );
}

function Field({ label, testId, children }: { label: React.ReactNode; testId?: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-neutral-500">{label}</dt>
      <dd className="min-w-0" data-testid={testId}>
        {children}
      </dd>
    </>
  );
}

function Table({ head, children }: { head: readonly string[]; children: React.ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="text-neutral-500">
          <tr className="[&>th]:py-2 [&>th]:pr-4 [&>th]:font-normal [&>th]:whitespace-nowrap">
            {head.map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-neutral-100">{children}</tbody>
      </table>
    </div>
  );
}

function Cell({ testId, mono, children }: { testId?: string; mono?: boolean; children: React.ReactNode }) {
  return (
    <td className={`py-2 pr-4 ${mono ? "font-mono text-xs break-all" : ""}`} data-testid={testId}>
      {children}
    </td>
  );
}
