"use client";
// 退款 (admins): a form with the amount in yuan (at most what can still be refunded, shown) and a reason,
// then an antd confirm that repeats both, then POST /api/admin/orders/<id>/refunds. One idempotency key per
// opened form: a double click or a retry after a lost answer refunds once.
import { App, Button, Form, Input, Modal } from "antd";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { consoleFetch } from "@/app/admin/console-fetch";
import { formatYuan, yuanToFen } from "@/lib/admin/order-query";

interface Values {
  amount: string;
  reason: string;
}

const REASON_MAX_BYTES = 80;

export function RefundButton({ orderId, refundable }: { orderId: string; refundable: number }) {
  const router = useRouter();
  const { modal } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [key, setKey] = useState("");

  const start = () => {
    setError(null);
    setDone(null);
    setKey(crypto.randomUUID());
    form.resetFields();
    setOpen(true);
  };

  const send = async (amount: number, reason: string) => {
    setBusy(true);
    const answer = await consoleFetch<{ refund: { status: string; error: string | null } }>(
      `/api/admin/orders/${orderId}/refunds`,
      {
        method: "POST",
        body: { amount, reason, idempotencyKey: key },
      },
    );
    setBusy(false);
    if (answer.kind === "error") {
      setError(answer.message);
      return;
    }
    if (answer.kind === "ok" && answer.data.refund.status === "failed") {
      // WeChat Pay said no (e.g. the merchant's balance): nothing was refunded, and the amount is free again.
      setError(`退款失败：${answer.data.refund.error ?? "微信支付拒绝了这笔退款"}`);
      setKey(crypto.randomUUID());
      router.refresh();
      return;
    }
    if (answer.kind === "ok") {
      setOpen(false);
      setDone(`已提交退款 ${formatYuan(amount)}`);
      router.refresh();
    }
  };

  const submit = (values: Values) => {
    const amount = yuanToFen(values.amount) ?? 0;
    const reason = values.reason.trim();
    modal.confirm({
      title: `确认退款 ${formatYuan(amount)}？`,
      content: `原因：${reason}。退款会原路退回给用户，提交后不能撤回。`,
      okText: "确认退款",
      okButtonProps: { danger: true, "data-testid": "refund-confirm" } as never,
      cancelText: "再想想",
      onOk: () => send(amount, reason),
    });
  };

  return (
    <div className="flex flex-col items-end gap-1">
      <Button danger onClick={start} disabled={refundable <= 0} data-testid="refund-open">
        退款
      </Button>
      {done && (
        <p role="status" className="text-sm text-emerald-700" data-testid="refund-done">
          {done}
        </p>
      )}
      <Modal
        open={open}
        title="退款"
        okText="提交"
        cancelText="取消"
        confirmLoading={busy}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        okButtonProps={{ "data-testid": "refund-submit" } as never}
        destroyOnHidden
      >
        <p className="mb-3 text-sm text-neutral-600" data-testid="refund-refundable">
          可退金额：{formatYuan(refundable)}
        </p>
        {error && (
          <p
            role="alert"
            className="mb-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800"
            data-testid="refund-error"
          >
            {error}
          </p>
        )}
        <Form<Values> form={form} layout="vertical" onFinish={submit} preserve={false}>
          <Form.Item
            name="amount"
            label="退款金额"
            rules={[
              { required: true, message: "请填写退款金额" },
              {
                validator: (_, value: string | undefined) => {
                  if (!value) return Promise.resolve();
                  const fen = yuanToFen(value);
                  if (fen === undefined || fen <= 0) return Promise.reject(new Error("请输入金额，如 12.50"));
                  if (fen > refundable) return Promise.reject(new Error(`不能超过可退金额 ${formatYuan(refundable)}`));
                  return Promise.resolve();
                },
              },
            ]}
          >
            <Input
              prefix="¥"
              inputMode="decimal"
              placeholder={(refundable / 100).toFixed(2)}
              data-testid="refund-amount"
            />
          </Form.Item>
          <Form.Item
            name="reason"
            label="退款原因（会展示给用户）"
            rules={[
              { required: true, whitespace: true, message: "请填写退款原因" },
              {
                validator: (_, value: string | undefined) =>
                  new TextEncoder().encode(value ?? "").length <= REASON_MAX_BYTES
                    ? Promise.resolve()
                    : Promise.reject(new Error("退款原因最多 80 字节（约 26 个汉字）")),
              },
            ]}
          >
            <Input.TextArea rows={2} data-testid="refund-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
