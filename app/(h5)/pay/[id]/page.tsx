// The cashier (收银台): what the person is paying and how much, 立即支付, and the outcome as our books say
// it. Signed in silently first (JSAPI needs the payer's openid); someone else's order is refused without
// a word about it.
import Link from "next/link";
import { cookies } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { getIronSession } from "iron-session";
import { AppError, APP_ERRORS } from "@/lib/errors";
import { env } from "@/lib/env";
import { loginPath } from "@/lib/auth/login";
import { getMe } from "@/lib/me";
import { cashierView, ownOrder } from "@/lib/pay/cashier";
import { simulatorBridgeUrl } from "@/lib/pay/settings";
import { endUserSession, sessionOptions, type SessionData } from "@/lib/session";
import { services } from "@/lib/services";
import { Cashier } from "./cashier";

export const dynamic = "force-dynamic";

export default async function PayPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) notFound();
  const session = await getIronSession<SessionData>(await cookies(), sessionOptions());
  let userId: string;
  try {
    userId = (await getMe(services.auth, endUserSession(session))).id;
  } catch (err) {
    if (err instanceof AppError && err.code === "unauthenticated") redirect(loginPath("snsapi_base", `/pay/${id}`));
    throw err;
  }
  const pay = services.pay;
  if (!pay) return <Refusal title="暂不支持支付" message={APP_ERRORS.pay_disabled.message} />;
  let order;
  try {
    order = await ownOrder(pay, id, userId);
  } catch (err) {
    if (err instanceof AppError && err.code === "pay_order_not_found") notFound();
    if (err instanceof AppError && err.code === "pay_order_not_yours") {
      return <Refusal title="无法支付" message={APP_ERRORS.pay_order_not_yours.message} />;
    }
    throw err;
  }
  return <Cashier order={cashierView(pay, order, pay.now())} bridgeUrl={simulatorBridgeUrl(env().pay)} />;
}

function Refusal({ title, message }: { title: string; message: string }) {
  return (
    <div className="weui-msg" data-testid="pay-refused">
      <div className="weui-msg__icon-area">
        <i className="weui-icon-warn weui-icon_msg" aria-hidden="true" />
      </div>
      <div className="weui-msg__text-area">
        <h1 className="weui-msg__title">{title}</h1>
        <p className="weui-msg__desc" data-testid="pay-refused-message">
          {message}
        </p>
      </div>
      <div className="weui-msg__opr-area">
        <div className="weui-btn-area">
          <Link href="/me/orders" className="weui-btn weui-btn_default">
            我的订单
          </Link>
        </div>
      </div>
    </div>
  );
}
