// POST: WeChat Pay's notifications (notify_url): payments (TRANSACTION.SUCCESS) and refunds (REFUND.*). The raw body and the Wechatpay-* headers go to the pay
// client as received; 204 once applied (or known), otherwise WeChat Pay's failure shape
// {"code":"FAIL","message"} with a 4xx/5xx, so that it sends the notification again.
import { AppError, reportError, toAppError } from "@/lib/errors";
import { receivePaymentNotification } from "@/lib/pay/notify";
import { services } from "@/lib/services";

export const dynamic = "force-dynamic";

/** WeChat Pay waits 5 s: a notification not handled by then is answered 503 (it comes again). */
const BUDGET_MS = 4000;

export async function POST(request: Request): Promise<Response> {
  try {
    const pay = services.pay;
    if (!pay) throw new AppError("pay_disabled");
    const body = await request.text();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AppError("pay_busy", { detail: "notification not handled in 4 s" })),
        BUDGET_MS,
      );
    });
    await Promise.race([receivePaymentNotification(pay, request.headers, body), late]).finally(() =>
      clearTimeout(timer),
    );
    return new Response(null, { status: 204 });
  } catch (error) {
    const appError = toAppError(error);
    const status = appError.code === "pay_unverified" ? 401 : appError.status;
    reportError(appError, { route: "/api/pay/notify", method: "POST" });
    return Response.json(
      { code: "FAIL", message: appError.userMessage },
      { status: status < 400 ? 500 : status, headers: { "cache-control": "no-store" } },
    );
  }
}
