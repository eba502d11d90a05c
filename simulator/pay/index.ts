/**
 * WeChat Pay v3 (JSAPI, ordinary merchant) in the simulator: the /v3 routes (routes.ts), the books
 * (ledger.ts), notifications (notifier.ts), the keys (keys.ts), and the /__sim/pay controls: the payer
 * confirming in WeChat, scripted faults of the API and of notifications, the merchant material for the app.
 */
import { SimulatorInputError } from "../errors";
import { nginxError, reply } from "../http/reply";
import { control, route, type ControlInput, type Route } from "../http/router";
import type { Surface } from "../surface";
import { PayKeys, type MerchantMaterial, type PayKeyOptions } from "./keys";
import { PayLedger, type RefundStatus, type SimOrder, type SimRefund } from "./ledger";
import { Notifier, checkNotifyFault, type NotificationRecord, type NotifierOptions } from "./notifier";
import { bridgeScript } from "./bridge";
import { PAY_ERRORS, bridgeProblem, type BridgeParams } from "./protocol";
import { PAY_OPERATIONS, payRoutes, type ApiFault, type PayOperation } from "./routes";

export { RETRY_SCHEDULE_SECONDS, type NotificationRecord, type NotifyFault } from "./notifier";
export type { MerchantMaterial } from "./keys";
export type { SimOrder, SimRefund } from "./ledger";
export type { ApiFault, PayOperation } from "./routes";

export const PAY_DEFAULTS = {
  mchid: "1900009191",
} as const;

export interface PayOptions extends PayKeyOptions, NotifierOptions {
  readonly mchid?: string;
  /**
   * auto (default): a refund succeeds right after it is accepted (the answer still says PROCESSING) and
   * REFUND.SUCCESS is notified; manual: it stays PROCESSING until completeRefund().
   */
  readonly refunds?: "auto" | "manual";
}

export interface PayCore {
  now(): number;
  readonly appId: string;
  /** The simulator's origin (the bridge script calls back to it). */
  url(): string;
}

export interface ConfirmInput {
  /** The prepay to pay: directly, or through the page's getBrandWCPayRequest parameters (paySign checked). */
  readonly prepayId?: string;
  readonly bridge?: BridgeParams;
  /** A shortcut for tests: the order's current prepay_id. */
  readonly outTradeNo?: string;
  /** Who pays (WeChat's user); must be the order's payer. Default: the payer. */
  readonly openid?: string;
  /** What the payer does: pay (default), cancel, or fail (e.g. the card is refused). */
  readonly outcome?: "success" | "cancel" | "fail";
}

export interface ConfirmResult {
  /** What getBrandWCPayRequest reports to the page. */
  readonly errMsg: "get_brand_wcpay_request:ok" | "get_brand_wcpay_request:cancel" | "get_brand_wcpay_request:fail";
  /** Why it failed, in WeChat's words. */
  readonly reason?: string;
  readonly outTradeNo?: string;
  readonly transactionId?: string;
}

export interface PayDeps {
  readonly isOpenid: (openid: string) => boolean;
  readonly httpNotifyHosts: readonly string[];
  /** Called with a listener the simulator runs whenever its clock is advanced (retries fall due). */
  readonly onAdvance: (listener: () => void) => void;
  /** The clock is real time (the CLI): a timer sends retries as they fall due. */
  readonly realClock: boolean;
}

export class WeChatPaySim implements Surface {
  readonly mchid: string;
  readonly keys: PayKeys;
  readonly ledger: PayLedger;
  readonly notifier: Notifier;
  readonly routes: readonly Route[];
  readonly controls: readonly Route[];
  private refundMode: "auto" | "manual";
  private readonly initialRefundMode: "auto" | "manual";
  private readonly faults = new Map<PayOperation, ApiFault[]>();
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    private readonly core: PayCore,
    deps: PayDeps,
    options: PayOptions = {},
  ) {
    this.mchid = options.mchid ?? PAY_DEFAULTS.mchid;
    if (!/^\d{1,32}$/.test(this.mchid)) throw new SimulatorInputError("mchid must be digits");
    this.keys = new PayKeys(this.mchid, () => core.appId, options);
    this.ledger = new PayLedger(() => core.now());
    this.notifier = new Notifier(() => core.now(), this.keys, options);
    this.refundMode = this.initialRefundMode = options.refunds ?? "auto";
    this.routes = payRoutes({
      now: () => core.now(),
      appid: () => core.appId,
      mchid: this.mchid,
      keys: this.keys,
      ledger: this.ledger,
      isOpenid: deps.isOpenid,
      httpNotifyHosts: deps.httpNotifyHosts,
      takeFault: (op) => this.faults.get(op)?.shift(),
      onRefundCreated: (refund) => {
        if (this.refundMode === "auto") this.completeRefund(refund.outRefundNo, "SUCCESS");
      },
    });
    this.controls = this.controlRoutes();
    deps.onAdvance(() => this.notifier.kick());
    this.timer = deps.realClock ? setInterval(() => this.notifier.kick(), 250) : null;
    this.timer?.unref();
  }

  reset(): void {
    this.ledger.reset();
    this.notifier.reset();
    this.faults.clear();
    this.refundMode = this.initialRefundMode;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.notifier.close();
  }

  /** The settings the app needs (WECHAT_PAY_*): mchid, appid, keys and ids. */
  merchant(): MerchantMaterial {
    return this.keys.material();
  }

  /** The next `times` requests of this operation meet this fault (see ApiFault). */
  failNext(op: PayOperation, fault: ApiFault, times = 1): void {
    if (!PAY_OPERATIONS.includes(op)) throw new SimulatorInputError(`op must be one of ${PAY_OPERATIONS.join(", ")}`);
    if (!Number.isInteger(times) || times < 1) throw new SimulatorInputError("times must be a positive integer");
    const checked = checkApiFault(fault);
    const queue = this.faults.get(op) ?? [];
    for (let i = 0; i < times; i++) queue.push(checked);
    this.faults.set(op, queue);
  }

  order(outTradeNo: string): SimOrder | undefined {
    return this.ledger.order(outTradeNo);
  }

  refund(outRefundNo: string): SimRefund | undefined {
    return this.ledger.refund(outRefundNo);
  }

  /** The payer confirms (or cancels) in WeChat. On success the order is paid and TRANSACTION.SUCCESS is notified. */
  confirm(input: ConfirmInput): ConfirmResult {
    const outcome = input.outcome ?? "success";
    const checked = this.payable(input);
    if ("reason" in checked) return { errMsg: "get_brand_wcpay_request:fail", reason: checked.reason };
    const { prepayId, order } = checked;
    if (outcome === "cancel") return { errMsg: "get_brand_wcpay_request:cancel", outTradeNo: order.outTradeNo };
    if (outcome === "fail") {
      return { errMsg: "get_brand_wcpay_request:fail", reason: "支付失败，请稍后再试", outTradeNo: order.outTradeNo };
    }
    const paid = this.ledger.markPaid(prepayId);
    this.notifier.emit({
      eventType: "TRANSACTION.SUCCESS",
      summary: "支付成功",
      originalType: "transaction",
      resource: this.ledger.transaction(paid),
      url: paid.notifyUrl,
      outTradeNo: paid.outTradeNo,
    });
    return { errMsg: "get_brand_wcpay_request:ok", outTradeNo: paid.outTradeNo, transactionId: paid.transactionId! };
  }

  /**
   * What WeChat's pay sheet would show for these parameters before the payer decides (the order's
   * description and amount), or why WeChat would refuse them at once. Pays nothing.
   */
  sheet(
    input: ConfirmInput,
  ): { ok: true; outTradeNo: string; description: string; total: number } | { ok: false; reason: string } {
    const checked = this.payable(input);
    if ("reason" in checked) return { ok: false, reason: checked.reason };
    return {
      ok: true,
      outTradeNo: checked.order.outTradeNo,
      description: checked.order.description,
      total: checked.order.total,
    };
  }

  private payable(input: ConfirmInput): { prepayId: string; order: SimOrder } | { reason: string } {
    let prepayId = input.prepayId;
    if (input.bridge) {
      const problem = bridgeProblem(input.bridge, this.keys.merchant().publicKey);
      if (problem) return { reason: problem };
      if (input.bridge.appId !== this.core.appId) return { reason: "appId与下单的appid不一致" };
      prepayId = input.bridge.package.slice("prepay_id=".length);
    }
    if (prepayId === undefined && input.outTradeNo !== undefined)
      prepayId = this.ledger.order(input.outTradeNo)?.prepayId;
    if (prepayId === undefined) return { reason: "prepay_id不存在" };
    const problem = this.ledger.payProblem(prepayId, input.openid);
    if (problem) return { reason: problem };
    return { prepayId, order: this.ledger.orderByPrepay(prepayId)! };
  }

  /** A PROCESSING refund ends; REFUND.* is notified to its notify_url, if it gave one. */
  completeRefund(outRefundNo: string, status: Exclude<RefundStatus, "PROCESSING">): SimRefund {
    const refund = this.ledger.finishRefund(outRefundNo, status);
    if (typeof refund === "string") throw new SimulatorInputError(refund);
    if (refund.notifyUrl) {
      const summary = { SUCCESS: "退款成功", ABNORMAL: "退款异常", CLOSED: "退款关闭" }[status];
      this.notifier.emit({
        eventType: `REFUND.${status}`,
        summary,
        originalType: "refund",
        resource: this.ledger.refundNotice(refund, this.mchid),
        url: refund.notifyUrl,
        outTradeNo: refund.outTradeNo,
        outRefundNo: refund.outRefundNo,
      });
    }
    return refund;
  }

  setRefundMode(mode: "auto" | "manual"): void {
    if (mode !== "auto" && mode !== "manual") throw new SimulatorInputError("refunds must be auto or manual");
    this.refundMode = mode;
  }

  notifications(): NotificationRecord[] {
    return this.notifier.list();
  }

  /** Sends the retries due by the simulator clock; resolves when answered. */
  deliverDue(): Promise<void> {
    return this.notifier.deliverDue();
  }

  /** Resolves once no notification is being sent. */
  settled(): Promise<void> {
    return this.notifier.settled();
  }

  private controlRoutes(): Route[] {
    const ok = { ok: true } as const;
    return [
      control("GET", "/__sim/pay/merchant", () => this.merchant()),
      control("POST", "/__sim/pay/merchant/register", (input) => {
        this.keys.registerMerchant(requireString(input, "publicKey"), requireString(input, "serialNo"));
        return ok;
      }),
      // The cashier page calls this from the app's origin (the simulator's stand-in for WeChat's pay sheet).
      withCors(control("POST", "/__sim/pay/confirm", (input) => this.confirm(checkConfirm(input)))),
      withCors(control("POST", "/__sim/pay/sheet", (input) => this.sheet(checkConfirm(input)))),
      // WeixinJSBridge for a page outside WeChat: the cashier loads it when its pay base is the simulator.
      route(["GET"], "/__sim/pay/bridge.js", () =>
        reply(200, "application/javascript; charset=utf-8", bridgeScript(this.core.url()), {
          "Cache-Control": "no-store",
          "Cross-Origin-Resource-Policy": "cross-origin",
        }),
      ),
      control("GET", "/__sim/pay/order", (_input, query) => {
        const no = query.get("outTradeNo") ?? "";
        const order = this.ledger.order(no);
        if (!order) throw new SimulatorInputError(`unknown outTradeNo: ${no}`);
        return { ...order, refunded: this.ledger.refunded(order) };
      }),
      control("GET", "/__sim/pay/orders", () => this.ledger.allOrders()),
      control("POST", "/__sim/pay/fail-next", (input) => {
        const times = input.times;
        if (times !== undefined && typeof times !== "number") throw new SimulatorInputError("times must be a number");
        this.failNext(requireString(input, "op") as PayOperation, input.fault as ApiFault, times);
        return ok;
      }),
      control("POST", "/__sim/pay/refund/mode", (input) => {
        this.setRefundMode(input.mode as "auto" | "manual");
        return ok;
      }),
      control("POST", "/__sim/pay/refund/complete", (input) => {
        const status = input.status ?? "SUCCESS";
        if (status !== "SUCCESS" && status !== "ABNORMAL" && status !== "CLOSED") {
          throw new SimulatorInputError("status must be SUCCESS, ABNORMAL or CLOSED");
        }
        return this.ledger.refundBody(this.completeRefund(requireString(input, "outRefundNo"), status));
      }),
      control("GET", "/__sim/pay/notifications", () =>
        this.notifier.list().map(({ body: _body, ...record }) => record),
      ),
      control("POST", "/__sim/pay/notify/mode", (input) => {
        this.notifier.configure(input as { mode?: "auto" | "manual"; retryScale?: number });
        return ok;
      }),
      control("POST", "/__sim/pay/notify/fault", (input) => {
        const times = input.times ?? 1;
        if (typeof times !== "number") throw new SimulatorInputError("times must be a number");
        this.notifier.script(checkNotifyFault(input.fault), times);
        return ok;
      }),
      control("POST", "/__sim/pay/notify/flush", async () => ({ ok: true, flushed: await this.notifier.flush() })),
      control("POST", "/__sim/pay/notify/run-due", async () => {
        await this.notifier.deliverDue();
        return ok;
      }),
    ];
  }
}

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST",
  "Access-Control-Allow-Headers": "content-type",
  "Access-Control-Max-Age": "600",
};

/** A control a page of another origin may call: the preflight answered, CORS headers on the answer. */
function withCors(inner: Route): Route {
  return route("any", inner.path, async (req) => {
    if (req.method === "OPTIONS") return reply(204, "text/plain", "", CORS);
    if (inner.methods !== "any" && !inner.methods.includes(req.method as "GET" | "POST")) return nginxError(405);
    const answer = await inner.handle(req);
    return { ...answer, headers: { ...answer.headers, ...CORS } };
  });
}

function requireString(input: ControlInput, name: string): string {
  const value = input[name];
  if (typeof value !== "string" || value === "") throw new SimulatorInputError(`${name} must be a non-empty string`);
  return value;
}

function checkConfirm(input: ControlInput): ConfirmInput {
  for (const key of ["prepayId", "outTradeNo", "openid"] as const) {
    if (input[key] !== undefined && typeof input[key] !== "string")
      throw new SimulatorInputError(`${key} must be a string`);
  }
  if (input.outcome !== undefined && !["success", "cancel", "fail"].includes(input.outcome as string)) {
    throw new SimulatorInputError("outcome must be success, cancel or fail");
  }
  if (input.bridge !== undefined && (typeof input.bridge !== "object" || input.bridge === null)) {
    throw new SimulatorInputError("bridge must be the getBrandWCPayRequest parameters");
  }
  if (input.prepayId === undefined && input.outTradeNo === undefined && input.bridge === undefined) {
    throw new SimulatorInputError("give prepayId, outTradeNo or bridge");
  }
  return input as ConfirmInput;
}

function checkApiFault(value: unknown): ApiFault {
  const f = value as Record<string, unknown> | null;
  if (typeof f !== "object" || f === null) throw new SimulatorInputError("fault must be an object");
  if (typeof f.signature === "string") {
    const kinds = ["bad", "signtest", "stale", "unknown_serial", "unsigned"];
    if (!kinds.includes(f.signature)) throw new SimulatorInputError(`signature must be one of ${kinds.join(", ")}`);
    return { signature: f.signature as Exclude<ApiFault, { code: string }>["signature"] };
  }
  if (typeof f.code !== "string" || !/^[A-Z_]+$/.test(f.code)) {
    throw new SimulatorInputError("fault needs a code (e.g. SYSTEM_ERROR) or a signature fault");
  }
  if (
    f.status !== undefined &&
    (!Number.isInteger(f.status) || (f.status as number) < 400 || (f.status as number) > 599)
  ) {
    throw new SimulatorInputError("status must be 400..599");
  }
  if (f.status === undefined && !(f.code in PAY_ERRORS)) {
    throw new SimulatorInputError(`unknown code ${f.code}: give its status`);
  }
  if (f.message !== undefined && typeof f.message !== "string")
    throw new SimulatorInputError("message must be a string");
  return {
    code: f.code,
    ...(f.status === undefined ? {} : { status: f.status as number }),
    ...(f.message === undefined ? {} : { message: f.message as string }),
    ...(f.apply === true ? { apply: true } : {}),
  };
}
