"use client";
// 标记已处理 (admins): an incident looked into is marked resolved, with who did it, after an antd confirm.
import { App, Button } from "antd";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { consoleFetch } from "@/app/admin/console-fetch";

export function ResolveIncident({ orderId, incidentId }: { orderId: string; incidentId: string }) {
  const router = useRouter();
  const { modal } = App.useApp();
  const [error, setError] = useState<string | null>(null);
  const resolve = async () => {
    const answer = await consoleFetch(`/api/admin/orders/${orderId}/incidents/${incidentId}`, {
      method: "PATCH",
      body: { resolved: true },
    });
    if (answer.kind === "error") setError(answer.message);
    if (answer.kind === "ok") router.refresh();
  };
  return (
    <span className="flex flex-col gap-1">
      <Button
        size="small"
        data-testid="incident-resolve"
        onClick={() =>
          modal.confirm({
            title: "标记为已处理？",
            content: "请先核对微信支付商户平台上的这笔订单；标记后会记录你的账号和时间。",
            okText: "标记已处理",
            okButtonProps: { "data-testid": "incident-resolve-confirm" } as never,
            cancelText: "取消",
            onOk: resolve,
          })
        }
      >
        标记已处理
      </Button>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}
