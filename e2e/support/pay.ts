// Orders for the pay specs, made as other servers and payers make them: POST /api/internal/pay/orders with
// the internal bearer, then (for a paid one) the prepay at the simulator's WeChat Pay signed with the merchant
// key it hands out, the payer's 支付 in WeChat (POST /__sim/pay/confirm), and the app's order once the
// simulator's TRANSACTION.SUCCESS notification reached /api/pay/notify.
import { expect, type APIRequestContext } from "@playwright/test";
import { WeChatPay } from "@/lib/wechat/pay";
import { E2E_INTERNAL_SECRET, SIM_URL } from "./env";

export interface E2eOrder {
  readonly id: string;
  readonly outTradeNo: string;
  readonly status: string;
  readonly amount: number;
  readonly description: string;
}

const bearer = { authorization: `Bearer ${E2E_INTERNAL_SECRET}` };

async function simCall<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(SIM_URL + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`simulator ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The app's order as the internal API answers it. */
export async function internalOrder(request: APIRequestContext, appOrigin: string, id: string) {
  const res = await request.get(`${appOrigin}/api/internal/pay/orders/${id}`, { headers: bearer });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as E2eOrder & { expiresAt: string; openid: string };
}

/** An unpaid order of `userId` (one of our people, signed in once). */
export async function createOrder(
  request: APIRequestContext,
  appOrigin: string,
  input: { userId: string; amount: number; description: string },
): Promise<E2eOrder> {
  const res = await request.post(`${appOrigin}/api/internal/pay/orders`, {
    headers: bearer,
    data: { ...input, idempotencyKey: `e2e-${Date.now()}-${Math.random()}` },
  });
  expect(res.status(), await res.text()).toBe(201);
  const made = (await res.json()) as { id: string; outTradeNo: string; status: string };
  return { ...made, amount: input.amount, description: input.description };
}

/** An order of `userId`, paid in the simulator's WeChat Pay and applied by the app (its notification). */
export async function paidOrder(
  request: APIRequestContext,
  appOrigin: string,
  input: { userId: string; amount: number; description: string },
): Promise<E2eOrder> {
  const order = await createOrder(request, appOrigin, input);
  const view = await internalOrder(request, appOrigin, order.id);
  const merchant = (await (await fetch(`${SIM_URL}/__sim/pay/merchant`)).json()) as ConstructorParameters<
    typeof WeChatPay
  >[0] & { merchantPrivateKey: string };
  // Requests are signed with the simulator's clock (it refuses timestamps 5 minutes off it).
  const { now } = await simCall<{ now: number }>("/__sim/advance", { seconds: 0 });
  const offset = now - Date.now();
  const pay = new WeChatPay({ ...merchant, baseUrl: SIM_URL }, { now: () => Date.now() + offset, retries: 0 });
  await pay.createJsapiOrder({
    outTradeNo: order.outTradeNo,
    description: order.description,
    amount: order.amount,
    payerOpenid: view.openid,
    notifyUrl: `${appOrigin}/api/pay/notify`,
    timeExpire: Date.parse(view.expiresAt),
  });
  const paid = await simCall<{ errMsg: string; reason?: string }>("/__sim/pay/confirm", {
    outTradeNo: order.outTradeNo,
  });
  expect(paid.errMsg, paid.reason).toBe("get_brand_wcpay_request:ok");
  await expect.poll(async () => (await internalOrder(request, appOrigin, order.id)).status).toBe("paid");
  return { ...order, status: "paid" };
}
