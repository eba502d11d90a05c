// 我的订单: the signed-in person's orders, newest first, with their state and refunds; an unpaid one
// links to its cashier.
import Link from "next/link";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getIronSession } from "iron-session";
import { AppError } from "@/lib/errors";
import { loginPath } from "@/lib/auth/login";
import { getMe } from "@/lib/me";
import { myOrders, type MyOrder } from "@/lib/pay/cashier";
import { endUserSession, sessionOptions, type SessionData } from "@/lib/session";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

export default async function MyOrdersPage() {
  const session = await getIronSession<SessionData>(await cookies(), sessionOptions());
  let userId: string;
  try {
    userId = (await getMe(services.auth, endUserSession(session))).id;
  } catch (err) {
    if (err instanceof AppError && err.code === "unauthenticated") redirect(loginPath("snsapi_base", "/me/orders"));
    throw err;
  }
  const pay = services.pay;
  const orders = pay ? await myOrders(pay, userId) : [];
  return (
    <>
      <h1 className="weui-cells__title h5-orders__title">我的订单</h1>
      {orders.length === 0 ? (
        <div className="weui-msg" data-testid="orders-empty">
          <div className="weui-msg__text-area">
            <p className="weui-msg__desc">暂无订单</p>
          </div>
        </div>
      ) : (
        <div className="weui-panel" data-testid="orders">
          <div className="weui-panel__bd">
            {orders.map((order) => (
              <OrderItem key={order.id} order={order} />
            ))}
          </div>
        </div>
      )}
      <div className="h5-fill" />
      <div className="h5-actions">
        <Link href="/me" className="weui-btn weui-btn_default">
          返回个人中心
        </Link>
      </div>
    </>
  );
}

function OrderItem({ order }: { order: MyOrder }) {
  return (
    <div className="weui-media-box weui-media-box_text" data-testid="order" data-order-id={order.id}>
      <div className="h5-order__head">
        <strong className="weui-media-box__title h5-order__title">{order.description}</strong>
        <span className="h5-order__amount">{order.amountLabel}</span>
      </div>
      <p className="weui-media-box__desc">
        <span data-testid="order-status" className={`h5-order__status h5-order__status_${order.status}`}>
          {order.statusLabel}
        </span>
        <span className="h5-order__time">{formatTime(order.createdAt)}</span>
      </p>
      {order.refunds.length > 0 && (
        <ul className="h5-order__refunds" data-testid="order-refunds">
          {order.refunds.map((refund) => (
            <li key={refund.id}>
              退款 {refund.amountLabel} · {refund.stateLabel}
              {refund.reason ? ` · ${refund.reason}` : ""}
            </li>
          ))}
        </ul>
      )}
      <ul className="weui-media-box__info">
        <li className="weui-media-box__info__meta h5-value_mono">{order.outTradeNo}</li>
      </ul>
      {order.status === "unpaid" && (
        // A full page load, not a client-side move: the cashier's own policy (lib/page-security.ts) must apply.
        <a href={`/pay/${order.id}`} className="weui-btn weui-btn_mini weui-btn_primary" data-testid="order-pay">
          去支付
        </a>
      )}
    </div>
  );
}

function formatTime(iso: string): string {
  return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}
