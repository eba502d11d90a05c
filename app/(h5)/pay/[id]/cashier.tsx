"use client";
// The cashier's taps: 立即支付 → our prepay (signed on the server) → WeixinJSBridge's
// getBrandWCPayRequest → 支付结果确认中 while our order is polled → 支付成功 / 支付失败 / 已取消. Only our
// books (a verified notification or WeChat Pay's answer to a query) make an order paid: WeChat's
// `get_brand_wcpay_request:ok` only starts the polling.
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { Dialog, Toast } from "../../weui";
import type { CashierView } from "@/lib/pay/cashier";

interface BridgeRequest {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

interface Bridge {
  invoke(name: "getBrandWCPayRequest", params: BridgeRequest, callback: (res: { err_msg?: string }) => void): void;
}

type ApiError = { error?: { code?: string; message?: string; status?: string } };

type Phase =
  "ready" | "preparing" | "paying" | "confirming" | "unconfirmed" | "paid" | "failed" | "cancelled" | "closed";

/** How often and how long the page asks for the outcome (WeChat Pay's notification usually takes a second). */
const POLL_EVERY_MS = 1000;
const POLL_TIMES = 45;
/** How long the page waits for WeixinJSBridge (injected by WeChat, or the simulator's stand-in). */
const BRIDGE_WAIT_MS = 10_000;

function bridgeOf(): Bridge | undefined {
  return (window as unknown as { WeixinJSBridge?: Bridge }).WeixinJSBridge;
}

/** WeixinJSBridge: WeChat's own, or the simulator's stand-in from `url` (development and tests only). */
function loadBridge(url: string | null): Promise<Bridge> {
  const ready = bridgeOf();
  if (ready) return Promise.resolve(ready);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no WeixinJSBridge")), BRIDGE_WAIT_MS);
    const done = () => {
      const bridge = bridgeOf();
      if (!bridge) return;
      clearTimeout(timer);
      document.removeEventListener("WeixinJSBridgeReady", done);
      resolve(bridge);
    };
    document.addEventListener("WeixinJSBridgeReady", done);
    if (url && !document.querySelector(`script[data-pay-bridge]`)) {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.dataset.payBridge = "1";
      script.onload = done;
      script.onerror = () => {
        clearTimeout(timer);
        reject(new Error("bridge failed to load"));
      };
      document.head.appendChild(script);
    }
  });
}

const statusPhase = (status: CashierView["status"]): Phase =>
  status === "unpaid" ? "ready" : status === "closed" || status === "expired" ? "closed" : "paid";

export function Cashier({ order: initial, bridgeUrl }: { order: CashierView; bridgeUrl: string | null }) {
  const [order, setOrder] = useState(initial);
  const [phase, setPhase] = useState<Phase>(statusPhase(initial.status));
  const [error, setError] = useState<string | null>(null);
  const polling = useRef(false);

  // The simulator's stand-in is fetched before the tap, so that the pay sheet opens at once.
  useEffect(() => {
    if (bridgeUrl && initial.status === "unpaid") loadBridge(bridgeUrl).catch(() => undefined);
  }, [bridgeUrl, initial.status]);

  const poll = useCallback(async () => {
    if (polling.current) return;
    polling.current = true;
    setPhase("confirming");
    try {
      for (let i = 0; i < POLL_TIMES; i++) {
        const res = await fetch(`/api/pay/orders/${order.id}?confirm=1`, { cache: "no-store" }).catch(() => null);
        if (res?.ok) {
          const now = (await res.json()) as CashierView;
          setOrder(now);
          if (now.status !== "unpaid") {
            setPhase(statusPhase(now.status));
            return;
          }
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
      }
      setPhase("unconfirmed");
    } finally {
      polling.current = false;
    }
  }, [order.id]);

  async function pay() {
    setPhase("preparing");
    setError(null);
    let bridge: BridgeRequest;
    try {
      const res = await fetch(`/api/pay/orders/${order.id}/prepay`, { method: "POST" });
      const body = (await res.json().catch(() => ({}))) as { bridge?: BridgeRequest } & ApiError;
      if (!res.ok || !body.bridge) {
        const status = body.error?.status;
        // Paid already (perhaps the notification is on its way) or past its time: our books will say.
        if (status === "paid" || status === "refunded" || status === "partially_refunded") return void poll();
        if (status === "closed" || status === "expired") return setPhase("closed");
        setError(body.error?.message ?? "发起支付失败，请稍后重试");
        return setPhase("ready");
      }
      bridge = body.bridge;
    } catch {
      setError("网络异常，请稍后重试");
      return setPhase("ready");
    }
    let wx: Bridge;
    try {
      wx = await loadBridge(bridgeUrl);
    } catch {
      setError("请在微信中打开本页面完成支付");
      return setPhase("ready");
    }
    setPhase("paying");
    wx.invoke("getBrandWCPayRequest", bridge, (res) => {
      const said = res.err_msg ?? "";
      if (said === "get_brand_wcpay_request:ok") void poll();
      else if (said === "get_brand_wcpay_request:cancel") setPhase("cancelled");
      else setPhase("failed");
    });
  }

  if (phase === "confirming" || phase === "unconfirmed") {
    return (
      <Outcome
        icon={<span className="weui-primary-loading weui-icon_msg h5-pay__loading" aria-hidden="true" />}
        title="支付结果确认中"
        desc={
          phase === "confirming"
            ? "正在向微信支付确认结果，请勿重复支付。"
            : "暂未确认到支付结果。如已扣款，结果将在稍后更新，请勿重复支付。"
        }
        order={order}
        phase={phase}
      >
        {phase === "unconfirmed" && (
          <button
            type="button"
            className="weui-btn weui-btn_primary"
            data-testid="pay-recheck"
            onClick={() => void poll()}
          >
            刷新结果
          </button>
        )}
      </Outcome>
    );
  }
  if (phase === "paid") {
    return (
      <Outcome
        icon={<i className="weui-icon-success weui-icon_msg" aria-hidden="true" />}
        title="支付成功"
        desc={`${order.description}  ${order.amountLabel}`}
        order={order}
        phase={phase}
      />
    );
  }
  if (phase === "closed") {
    return (
      <Outcome
        icon={<i className="weui-icon-info weui-icon_msg" aria-hidden="true" />}
        title="订单已关闭"
        desc="订单已超过支付期限或已关闭，请重新下单。"
        order={order}
        phase={phase}
      />
    );
  }
  if (phase === "failed" || phase === "cancelled") {
    return (
      <Outcome
        icon={
          <i
            className={`weui-icon_msg ${phase === "failed" ? "weui-icon-warn" : "weui-icon-info"}`}
            aria-hidden="true"
          />
        }
        title={phase === "failed" ? "支付失败" : "已取消"}
        desc={phase === "failed" ? "本次支付未成功，未扣款，可以重新支付。" : "你已取消支付，订单仍可支付。"}
        order={order}
        phase={phase}
      >
        <button type="button" className="weui-btn weui-btn_primary" data-testid="pay-again" onClick={() => void pay()}>
          重新支付
        </button>
      </Outcome>
    );
  }

  return (
    <>
      <div className="h5-pay">
        <p className="h5-pay__label">付款金额</p>
        <p className="h5-pay__amount" data-testid="pay-amount">
          {order.amountLabel}
        </p>
        <p className="h5-pay__desc" data-testid="pay-description">
          {order.description}
        </p>
      </div>
      <div className="weui-cells">
        <div className="weui-cell">
          <div className="weui-cell__hd h5-label">商户订单号</div>
          <div className="weui-cell__bd h5-value h5-value_mono">{order.outTradeNo}</div>
        </div>
        <div className="weui-cell">
          <div className="weui-cell__hd h5-label">支付方式</div>
          <div className="weui-cell__bd h5-value">微信支付</div>
        </div>
      </div>
      <div className="h5-fill" />
      <div className="h5-actions">
        <button
          type="button"
          className="weui-btn weui-btn_primary"
          data-testid="pay-button"
          disabled={phase !== "ready"}
          onClick={() => void pay()}
        >
          立即支付
        </button>
      </div>
      {phase === "preparing" && <Toast kind="loading">正在发起支付</Toast>}
      {error && (
        <Dialog title="无法支付" testId="pay-error" onClose={() => setError(null)}>
          {error}
        </Dialog>
      )}
    </>
  );
}

function Outcome({
  icon,
  title,
  desc,
  order,
  phase,
  children,
}: {
  icon: React.ReactNode;
  title: string;
  desc: string;
  order: CashierView;
  phase: Phase;
  children?: React.ReactNode;
}) {
  return (
    <div className="weui-msg">
      <div className="weui-msg__icon-area">{icon}</div>
      <div className="weui-msg__text-area">
        <h1 className="weui-msg__title" data-testid="pay-result" data-phase={phase}>
          {title}
        </h1>
        <p className="weui-msg__desc">{desc}</p>
      </div>
      <div className="weui-msg__opr-area">
        <div className="weui-btn-area">
          {children}
          {order.returnUrl && (
            <a href={order.returnUrl} className="weui-btn weui-btn_default" data-testid="pay-return">
              完成
            </a>
          )}
          <Link href="/me/orders" className="weui-btn weui-btn_default" data-testid="pay-orders">
            我的订单
          </Link>
        </div>
      </div>
    </div>
  );
}
