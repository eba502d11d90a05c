"use client";
// 体验支付 ¥0.01 (only while the simulator plays WeChat Pay): a 1-fen order for the signed-in person,
// then its cashier. The key is made once per page, so a double tap makes one order.
import { useState } from "react";
import { Dialog, Toast } from "../weui";

function newKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function TrialPayButton() {
  const [key] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/pay/try", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ key }),
      });
      const body = (await res.json().catch(() => ({}))) as { payUrl?: string; error?: { message?: string } };
      if (res.ok && body.payUrl?.startsWith("/pay/")) {
        window.location.assign(body.payUrl);
        return;
      }
      setError(body.error?.message ?? "下单失败，请稍后重试");
    } catch {
      setError("网络异常，请稍后重试");
    }
    setBusy(false);
  }

  return (
    <div className="h5-action">
      <button
        type="button"
        onClick={() => void start()}
        disabled={busy}
        data-testid="trial-pay"
        className="weui-btn weui-btn_default"
      >
        体验支付 ¥0.01
      </button>
      {busy && <Toast kind="loading">正在下单</Toast>}
      {error && (
        <Dialog title="下单失败" testId="trial-pay-error" onClose={() => setError(null)}>
          {error}
        </Dialog>
      )}
    </div>
  );
}
