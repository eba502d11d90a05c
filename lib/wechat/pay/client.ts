/**
 * WeChat Pay API v3 for an ordinary merchant (直连商户), JSAPI payments in an Official Account's H5 pages:
 * prepay, query, close, refund and refund query; the getBrandWCPayRequest parameters signed for the page;
 * notifications verified, decrypted and validated. Keys, endpoints, fetch, clock and randomness are
 * passed in, so that the simulator and tests can stand in for WeChat Pay.
 *
 * Every request is signed (Authorization: WECHATPAY2-SHA256-RSA2048 …) and every answer's signature is
 * verified with WeChat Pay's public key before its body is read; an answer that fails is refused
 * (WeChatPaySignatureError), whatever it says. Errors: WeChatPayApiError (WeChat Pay's code and HTTP
 * status), WeChatPaySignatureError, WeChatPayNotificationError, and WeChatTransportError (../errors) for
 * timeouts, network failures and bodies that are not what WeChat Pay documents.
 *
 * Retries: WeChat Pay keys orders by out_trade_no and refunds by out_refund_no, so sending the same
 * request again is safe (the same prepay_id, the same refund). Transport failures and 5xx move to the
 * other host (api2.mch.weixin.qq.com) at once; SYSTEM_ERROR/BANK_ERROR are retried with backoff.
 */
import { randomBytes as nodeRandomBytes, type KeyObject } from "node:crypto";
import { WeChatTransportError } from "../errors";
import { ApiHosts } from "../hosts";
import { CallBudget, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, backoffDelay } from "../http";
import type { HttpFetch, HttpResponse } from "../transport";
import {
  answerMessage,
  apiV3KeyBytes,
  authorizationHeader,
  bridgeMessage,
  decryptAes256Gcm,
  loadPrivateKey,
  loadPublicKey,
  randomNonce,
  requestMessage,
  signSha256WithRsa,
  verifySha256WithRsa,
} from "./crypto";
import { WeChatPayApiError, WeChatPayNotificationError, WeChatPaySignatureError } from "./errors";
import {
  ATTACH_MAX_BYTES,
  CURRENCY,
  DESCRIPTION_MAX_BYTES,
  MAX_CLOCK_SKEW_SECONDS,
  OPENID_MAX_BYTES,
  PREPAY_TTL_SECONDS,
  REFUND_REASON_MAX_BYTES,
  SIGNTEST_PREFIX,
  formatBeijingTime,
  isAmount,
  isOutRefundNo,
  isOutTradeNo,
  notifyUrlProblem,
  textProblem,
} from "./rules";
import {
  envelopeSchema,
  errorBodySchema,
  prepaySchema,
  refundNoticeSchema,
  refundSchema,
  summarizeIssues,
  transactionSchema,
  type PayNotificationEnvelope,
  type PayRefund,
  type PayTransaction,
  type RefundNotice,
} from "./schemas";
import type { z } from "zod";

export interface WeChatPayConfig {
  /** 商户号 */
  readonly mchid: string;
  /** The Official Account's AppID, bound to the mchid. */
  readonly appid: string;
  /** The merchant's API private key (`apiclient_key.pem`), PEM or KeyObject. Never leaves this object. */
  readonly merchantPrivateKey: string | KeyObject;
  /** The serial number of the merchant API certificate that goes with the private key. */
  readonly merchantSerialNo: string;
  /** The APIv3 key: 32 bytes, decrypts notifications. Never leaves this object. */
  readonly apiV3Key: string;
  /** WeChat Pay's public key (PEM or KeyObject), from the merchant platform (微信支付公钥). */
  readonly wechatpayPublicKey: string | KeyObject;
  /** Its id (`PUB_KEY_ID_…`): answers and notifications signed with another (Wechatpay-Serial) are refused. */
  readonly wechatpayPublicKeyId: string;
  /** https://api.mch.weixin.qq.com, or ApiHosts with https://api2.mch.weixin.qq.com as the backup. */
  readonly baseUrl: string | ApiHosts;
  /** WeChat Pay wants a User-Agent that names the client. */
  readonly userAgent?: string;
}

export interface WeChatPayDeps {
  /** The round trip: the global fetch by default; the app passes nodeTransport(). */
  readonly fetch?: HttpFetch;
  /** ms epoch: request timestamps, the 5-minute window on answers and notifications, the prepay's expiry. */
  readonly now?: () => number;
  /** Nonces. */
  readonly randomBytes?: (n: number) => Uint8Array;
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): backoff jitter. */
  readonly random?: () => number;
  /** Per attempt. Default 5000. */
  readonly timeoutMs?: number;
  /** Extra attempts after a retryable failure. Default 2. */
  readonly retries?: number;
  /** The most one call may take, all attempts included. Default: unbounded beyond the attempts'. */
  readonly budgetMs?: number;
}

export interface JsapiOrderInput {
  /** 6–32 of `[0-9A-Za-z_\-|*]`, unique per merchant. Retry with the same one. */
  readonly outTradeNo: string;
  /** What the payer sees (≤ 127 bytes). */
  readonly description: string;
  /** Fen, a positive integer. */
  readonly amount: number;
  readonly payerOpenid: string;
  /** Where WeChat Pay notifies the result: absolute, no query string (https on the real WeChat Pay). */
  readonly notifyUrl: string;
  /** ms epoch after which the order cannot be paid (sent as RFC 3339 at +08:00). */
  readonly timeExpire?: number;
  /** Comes back in the query and the notification (≤ 128 bytes). */
  readonly attach?: string;
}

export interface Prepay {
  readonly prepayId: string;
  /** ms epoch, by our clock at the call: the prepay_id may be paid until then (2 hours). */
  readonly expiresAt: number;
}

export type RefundTarget = { readonly outTradeNo: string } | { readonly transactionId: string };

export type RefundInput = RefundTarget & {
  /** 1–64 of `[0-9A-Za-z_\-|*@]`; the same one again refunds once. Retry with the same one. */
  readonly outRefundNo: string;
  /** Fen: this refund (> 0, ≤ total). */
  readonly refund: number;
  /** Fen: the order's amount, as it was ordered. */
  readonly total: number;
  /** Shown to the payer (≤ 80 bytes). */
  readonly reason?: string;
  readonly notifyUrl?: string;
};

/** The parameters of `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`, signed by us. */
export interface BridgePayRequest {
  readonly appId: string;
  /** Seconds, as a string. */
  readonly timeStamp: string;
  readonly nonceStr: string;
  /** `prepay_id=…` */
  readonly package: string;
  readonly signType: "RSA";
  readonly paySign: string;
}

export type RefundEventType = "REFUND.SUCCESS" | "REFUND.ABNORMAL" | "REFUND.CLOSED";

interface NotificationBase {
  /** The notification's id: the same event delivered again has the same id. */
  readonly id: string;
  /** ms epoch. */
  readonly createTime: number;
  readonly summary: string;
}

/** A verified, decrypted, validated notification. */
export type PayNotification =
  | (NotificationBase & {
      readonly kind: "transaction";
      readonly eventType: "TRANSACTION.SUCCESS";
      readonly transaction: PayTransaction;
    })
  | (NotificationBase & {
      readonly kind: "refund";
      readonly eventType: RefundEventType;
      readonly refund: RefundNotice;
    });

/** Request or notification headers: a fetch Headers, or node's IncomingHttpHeaders (lower-case names). */
export type PayHeaders =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

const REFUND_EVENTS: ReadonlySet<string> = new Set(["REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"]);
const PREPAY_ID = /^[0-9A-Za-z_-]{1,64}$/;
const TRANSACTION_ID = /^[0-9A-Za-z_-]{1,32}$/;
const DEFAULT_USER_AGENT = "wechat-user-center/0.1 (WeChat Pay v3; node)";

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly requestId: string | null;
}

interface PayCall<T> {
  readonly method: "GET" | "POST";
  /** Path and query, e.g. "/v3/pay/transactions/out-trade-no/X?mchid=1". */
  readonly path: string;
  readonly body?: unknown;
  /** For errors and logs: the path template, no values. */
  readonly endpoint: string;
  /** Reads a verified 2xx answer. */
  readonly read: (answer: Answer) => T;
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== "string" || value.trim() === "" || /[\s"\\]/.test(value)) {
    throw new TypeError(`${name} must be a non-empty string without spaces or quotes`);
  }
  return value;
}

function requireBase(base: string): string {
  const trimmed = base.replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new TypeError("baseUrl must be an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError("baseUrl must be http(s)");
  if (url.search !== "" || url.hash !== "" || url.pathname !== "/") {
    throw new TypeError("baseUrl must be an origin (no path, query or fragment)");
  }
  return trimmed;
}

function header(headers: PayHeaders, name: string): string | null {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name);
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const value = record[name.toLowerCase()] ?? record[name];
  if (value === undefined) return null;
  return typeof value === "string" ? value : value.join(", ");
}

function checkOrderInput(input: JsapiOrderInput): void {
  if (!isOutTradeNo(input.outTradeNo)) throw new TypeError("outTradeNo must be 6-32 of [0-9A-Za-z_-|*]");
  const description = textProblem(input.description, DESCRIPTION_MAX_BYTES);
  if (description) throw new TypeError(`description ${description}`);
  if (!isAmount(input.amount)) throw new TypeError("amount must be a positive integer of fen");
  if (textProblem(input.payerOpenid, OPENID_MAX_BYTES) || /\s/.test(input.payerOpenid)) {
    throw new TypeError("payerOpenid must be an openid");
  }
  const notify = notifyUrlProblem(input.notifyUrl);
  if (notify) throw new TypeError(`notifyUrl ${notify}`);
  if (input.attach !== undefined) {
    const attach = textProblem(input.attach, ATTACH_MAX_BYTES, true);
    if (attach) throw new TypeError(`attach ${attach}`);
  }
  if (input.timeExpire !== undefined && !Number.isFinite(input.timeExpire)) {
    throw new TypeError("timeExpire must be a ms epoch");
  }
}

function checkRefundInput(input: RefundInput): void {
  if ("outTradeNo" in input) {
    if (!isOutTradeNo(input.outTradeNo)) throw new TypeError("outTradeNo must be 6-32 of [0-9A-Za-z_-|*]");
  } else if (!TRANSACTION_ID.test(input.transactionId)) {
    throw new TypeError("transactionId must be WeChat Pay's order number");
  }
  if (!isOutRefundNo(input.outRefundNo)) throw new TypeError("outRefundNo must be 1-64 of [0-9A-Za-z_-|*@]");
  if (!isAmount(input.refund)) throw new TypeError("refund must be a positive integer of fen");
  if (!isAmount(input.total)) throw new TypeError("total must be a positive integer of fen");
  if (input.refund > input.total) throw new TypeError("refund must not exceed total");
  if (input.reason !== undefined) {
    const reason = textProblem(input.reason, REFUND_REASON_MAX_BYTES, true);
    if (reason) throw new TypeError(`reason ${reason}`);
  }
  if (input.notifyUrl !== undefined) {
    const notify = notifyUrlProblem(input.notifyUrl);
    if (notify) throw new TypeError(`notifyUrl ${notify}`);
  }
}

export class WeChatPay {
  readonly mchid: string;
  readonly appid: string;
  // Private: logging or serialising the client must not print a key.
  readonly #privateKey: KeyObject;
  readonly #serialNo: string;
  readonly #apiV3Key: Buffer;
  readonly #publicKey: KeyObject;
  readonly #publicKeyId: string;
  readonly #hosts: ApiHosts;
  readonly #userAgent: string;
  readonly #fetch: HttpFetch;
  readonly #now: () => number;
  readonly #randomBytes: (n: number) => Uint8Array;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #budgetMs: number | undefined;

  constructor(config: WeChatPayConfig, deps: WeChatPayDeps = {}) {
    this.mchid = requireText(config.mchid, "mchid");
    this.appid = requireText(config.appid, "appid");
    this.#privateKey = loadPrivateKey(config.merchantPrivateKey);
    this.#serialNo = requireText(config.merchantSerialNo, "merchantSerialNo");
    this.#apiV3Key = apiV3KeyBytes(config.apiV3Key);
    this.#publicKey = loadPublicKey(config.wechatpayPublicKey);
    this.#publicKeyId = requireText(config.wechatpayPublicKeyId, "wechatpayPublicKeyId");
    this.#hosts =
      config.baseUrl instanceof ApiHosts ? config.baseUrl : new ApiHosts({ primary: requireBase(config.baseUrl) });
    this.#userAgent = config.userAgent ?? DEFAULT_USER_AGENT;
    this.#fetch = deps.fetch ?? globalThis.fetch;
    this.#now = deps.now ?? Date.now;
    this.#randomBytes = deps.randomBytes ?? nodeRandomBytes;
    this.#sleep = deps.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.#random = deps.random ?? Math.random;
    this.#timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retries = Math.max(0, Math.floor(deps.retries ?? DEFAULT_RETRIES));
    this.#budgetMs = deps.budgetMs;
  }

  /**
   * JSAPI prepay (`POST /v3/pay/transactions/jsapi`). Sending the same out_trade_no with the same
   * content again is safe; with other content WeChat Pay answers OUT_TRADE_NO_USED.
   */
  async createJsapiOrder(input: JsapiOrderInput): Promise<Prepay> {
    checkOrderInput(input);
    if (input.timeExpire !== undefined && input.timeExpire <= this.#now()) {
      throw new TypeError("timeExpire must be in the future");
    }
    const body: Record<string, unknown> = {
      appid: this.appid,
      mchid: this.mchid,
      description: input.description,
      out_trade_no: input.outTradeNo,
      ...(input.timeExpire === undefined ? {} : { time_expire: formatBeijingTime(input.timeExpire) }),
      ...(input.attach === undefined ? {} : { attach: input.attach }),
      notify_url: input.notifyUrl,
      amount: { total: input.amount, currency: CURRENCY },
      payer: { openid: input.payerOpenid },
    };
    const endpoint = "/v3/pay/transactions/jsapi";
    const startedAt = this.#now();
    const prepayId = await this.#call({
      method: "POST",
      path: endpoint,
      body,
      endpoint,
      read: (answer) => this.#json(answer, prepaySchema, endpoint),
    });
    return Object.freeze({ prepayId, expiresAt: startedAt + PREPAY_TTL_SECONDS * 1000 });
  }

  /** The order as WeChat Pay has it (`GET /v3/pay/transactions/out-trade-no/{no}?mchid=`). */
  async queryOrder(outTradeNo: string): Promise<PayTransaction> {
    if (!isOutTradeNo(outTradeNo)) throw new TypeError("outTradeNo must be 6-32 of [0-9A-Za-z_-|*]");
    const endpoint = "/v3/pay/transactions/out-trade-no/{out_trade_no}";
    return this.#call({
      method: "GET",
      path: `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${encodeURIComponent(this.mchid)}`,
      endpoint,
      read: (answer) => this.#ours(this.#json(answer, transactionSchema, endpoint), endpoint, { outTradeNo }),
    });
  }

  /** The order by WeChat Pay's number (`GET /v3/pay/transactions/id/{transaction_id}?mchid=`): paid orders only. */
  async queryOrderByTransactionId(transactionId: string): Promise<PayTransaction> {
    if (!TRANSACTION_ID.test(transactionId)) throw new TypeError("transactionId must be WeChat Pay's order number");
    const endpoint = "/v3/pay/transactions/id/{transaction_id}";
    return this.#call({
      method: "GET",
      path: `/v3/pay/transactions/id/${transactionId}?mchid=${encodeURIComponent(this.mchid)}`,
      endpoint,
      read: (answer) => this.#ours(this.#json(answer, transactionSchema, endpoint), endpoint, { transactionId }),
    });
  }

  /**
   * Closes an unpaid order (`POST …/{no}/close` → 204); it can then never be paid. "already_closed" when
   * WeChat Pay says ORDER_CLOSED. A paid order answers ORDERPAID (a WeChatPayApiError): query it.
   */
  async closeOrder(outTradeNo: string): Promise<"closed" | "already_closed"> {
    if (!isOutTradeNo(outTradeNo)) throw new TypeError("outTradeNo must be 6-32 of [0-9A-Za-z_-|*]");
    const endpoint = "/v3/pay/transactions/out-trade-no/{out_trade_no}/close";
    try {
      return await this.#call({
        method: "POST",
        path: `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`,
        body: { mchid: this.mchid },
        endpoint,
        read: () => "closed" as const,
      });
    } catch (error) {
      if (error instanceof WeChatPayApiError && error.code === "ORDER_CLOSED") return "already_closed";
      throw error;
    }
  }

  /**
   * Refunds part or all of a paid order (`POST /v3/refund/domestic/refunds`). The answer is usually
   * PROCESSING; the result comes by notification or queryRefund. The same outRefundNo again returns the
   * same refund; WeChat Pay refuses refunds above what is left (INVALID_REQUEST).
   */
  async refund(input: RefundInput): Promise<PayRefund> {
    checkRefundInput(input);
    const body: Record<string, unknown> = {
      ...("outTradeNo" in input ? { out_trade_no: input.outTradeNo } : { transaction_id: input.transactionId }),
      out_refund_no: input.outRefundNo,
      ...(input.reason === undefined ? {} : { reason: input.reason }),
      ...(input.notifyUrl === undefined ? {} : { notify_url: input.notifyUrl }),
      amount: { refund: input.refund, total: input.total, currency: CURRENCY },
    };
    const endpoint = "/v3/refund/domestic/refunds";
    return this.#call({
      method: "POST",
      path: endpoint,
      body,
      endpoint,
      read: (answer) => this.#sameRefund(this.#json(answer, refundSchema, endpoint), input.outRefundNo, endpoint),
    });
  }

  /** A refund by its number (`GET /v3/refund/domestic/refunds/{out_refund_no}`). */
  async queryRefund(outRefundNo: string): Promise<PayRefund> {
    if (!isOutRefundNo(outRefundNo)) throw new TypeError("outRefundNo must be 1-64 of [0-9A-Za-z_-|*@]");
    const endpoint = "/v3/refund/domestic/refunds/{out_refund_no}";
    return this.#call({
      method: "GET",
      path: `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`,
      endpoint,
      read: (answer) => this.#sameRefund(this.#json(answer, refundSchema, endpoint), outRefundNo, endpoint),
    });
  }

  /**
   * The getBrandWCPayRequest parameters for a prepay_id, signed with the merchant key (signType RSA).
   * Made on the server: the key never reaches the page. The page's `get_brand_wcpay_request:ok` proves
   * nothing; only a verified notification or a query does.
   */
  signBridgeRequest(prepayId: string): BridgePayRequest {
    if (!PREPAY_ID.test(prepayId)) throw new TypeError("prepayId must be WeChat Pay's prepay_id");
    const timeStamp = String(Math.floor(this.#now() / 1000));
    const nonceStr = randomNonce(this.#randomBytes);
    const packageValue = `prepay_id=${prepayId}`;
    return Object.freeze({
      appId: this.appid,
      timeStamp,
      nonceStr,
      package: packageValue,
      signType: "RSA" as const,
      paySign: signSha256WithRsa(bridgeMessage(this.appid, timeStamp, nonceStr, packageValue), this.#privateKey),
    });
  }

  /**
   * Checks a notification's Wechatpay-* headers against its raw body (the bytes as received, not
   * re-serialised JSON) and returns its envelope. Throws WeChatPaySignatureError (answer WeChat Pay with
   * a 4xx/5xx: it will send again) or WeChatPayNotificationError("bad_body").
   */
  verifyNotification(headers: PayHeaders, body: string): PayNotificationEnvelope {
    this.#verifySigned(headers, body, null);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new WeChatPayNotificationError("bad_body", "not JSON");
    }
    const parsed = envelopeSchema.safeParse(json);
    if (!parsed.success) throw new WeChatPayNotificationError("bad_body", summarizeIssues(parsed.error));
    return parsed.data;
  }

  /** The plaintext of an AEAD_AES_256_GCM resource, decrypted with the APIv3 key. */
  decryptResource(resource: PayNotificationEnvelope["resource"]): string {
    if (resource.algorithm !== "AEAD_AES_256_GCM") {
      throw new WeChatPayNotificationError("unsupported", `algorithm ${resource.algorithm}`);
    }
    const plain = decryptAes256Gcm(this.#apiV3Key, resource);
    if (plain === null) {
      throw new WeChatPayNotificationError(
        "decrypt_failed",
        "AES-256-GCM refused the resource (APIv3 key, nonce, associated data or ciphertext)",
      );
    }
    return plain;
  }

  /**
   * A notification verified, decrypted and validated: a paid transaction (TRANSACTION.SUCCESS) or a
   * refund's outcome (REFUND.*), for our mchid and appid. What it does not check, the caller must: that
   * out_trade_no is one of our orders and the amount is that order's, and apply it once (the same
   * notification arrives many times, concurrently).
   */
  openNotification(headers: PayHeaders, body: string): PayNotification {
    const envelope = this.verifyNotification(headers, body);
    if (envelope.resourceType !== "encrypt-resource") {
      throw new WeChatPayNotificationError("unsupported", `resource_type ${envelope.resourceType}`);
    }
    const isTransaction = envelope.eventType === "TRANSACTION.SUCCESS";
    const isRefund = REFUND_EVENTS.has(envelope.eventType);
    if (!isTransaction && !isRefund) throw new WeChatPayNotificationError("unsupported", `event ${envelope.eventType}`);
    const expectedType = isTransaction ? "transaction" : "refund";
    if (envelope.resource.originalType !== expectedType) {
      throw new WeChatPayNotificationError(
        "bad_body",
        `${envelope.eventType} with original_type ${envelope.resource.originalType}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(this.decryptResource(envelope.resource));
    } catch (error) {
      if (error instanceof WeChatPayNotificationError) throw error;
      throw new WeChatPayNotificationError("bad_resource", "the decrypted resource is not JSON");
    }
    const base = { id: envelope.id, createTime: envelope.createTime, summary: envelope.summary };
    if (isTransaction) {
      const parsed = transactionSchema.safeParse(json);
      if (!parsed.success) throw new WeChatPayNotificationError("bad_resource", summarizeIssues(parsed.error));
      const transaction = parsed.data;
      if (transaction.mchid !== this.mchid || transaction.appid !== this.appid) {
        throw new WeChatPayNotificationError("foreign_merchant", "the transaction is for another mchid or appid");
      }
      if (transaction.tradeState !== "SUCCESS") {
        throw new WeChatPayNotificationError("bad_resource", `TRANSACTION.SUCCESS with ${transaction.tradeState}`);
      }
      return Object.freeze({ ...base, kind: "transaction", eventType: "TRANSACTION.SUCCESS", transaction });
    }
    const parsed = refundNoticeSchema.safeParse(json);
    if (!parsed.success) throw new WeChatPayNotificationError("bad_resource", summarizeIssues(parsed.error));
    const refund = parsed.data;
    if (refund.mchid !== this.mchid) {
      throw new WeChatPayNotificationError("foreign_merchant", "the refund is for another mchid");
    }
    if (`REFUND.${refund.refundStatus}` !== envelope.eventType) {
      throw new WeChatPayNotificationError("bad_resource", `${envelope.eventType} with ${refund.refundStatus}`);
    }
    return Object.freeze({ ...base, kind: "refund", eventType: envelope.eventType as RefundEventType, refund });
  }

  // ---- the round trip ----

  /** One call on the healthy host, retried and failed over per the file's header. */
  async #call<T>(call: PayCall<T>): Promise<T> {
    const budget = new CallBudget({ timeoutMs: this.#timeoutMs, budgetMs: this.#budgetMs, now: this.#now });
    for (let attempt = 0; ; attempt++) {
      const base = this.#hosts.base();
      try {
        const answer = await this.#attempt(base, call, budget.attemptTimeout());
        this.#hosts.reportSuccess(base);
        return call.read(answer);
      } catch (error) {
        const hostFailed = isHostFailure(error);
        if (hostFailed) this.#hosts.reportFailure(base);
        if (attempt >= this.#retries || !isRetryable(error)) throw error;
        // Another host is tried at once; the same host only after a pause.
        const delay = hostFailed && this.#hosts.base() !== base ? 0 : backoffDelay(attempt, this.#random);
        if (!budget.allows(delay)) throw error;
        if (delay > 0) await this.#sleep(delay);
      }
    }
  }

  /** Signs, sends, and returns a verified 2xx answer; throws for anything else. */
  async #attempt<T>(base: string, call: PayCall<T>, timeoutMs: number): Promise<Answer> {
    const url = new URL(`${base}${call.path}`);
    const pathAndQuery = `${url.pathname}${url.search}`;
    const body = call.body === undefined ? "" : JSON.stringify(call.body);
    const timestamp = String(Math.floor(this.#now() / 1000));
    const nonce = randomNonce(this.#randomBytes);
    const signature = signSha256WithRsa(
      requestMessage(call.method, pathAndQuery, timestamp, nonce, body),
      this.#privateKey,
    );
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.#userAgent,
      authorization: authorizationHeader({ mchid: this.mchid, nonce, timestamp, serialNo: this.#serialNo, signature }),
    };
    if (call.body !== undefined) headers["content-type"] = "application/json";

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const timedOut = new Promise<never>((_, reject) => {
      controller.signal.addEventListener("abort", () => reject(new Error("timeout")), { once: true });
    });
    timedOut.catch(() => {});
    const endpoint = call.endpoint;
    let response: HttpResponse;
    let text: string;
    try {
      try {
        response = await Promise.race([
          this.#fetch(url, {
            method: call.method,
            headers,
            ...(call.body === undefined ? {} : { body }),
            signal: controller.signal,
          }),
          timedOut,
        ]);
        text = await Promise.race([response.text(), timedOut]);
      } catch (error) {
        if (controller.signal.aborted) {
          throw new WeChatTransportError({ kind: "timeout", endpoint, message: `timed out after ${timeoutMs} ms` });
        }
        throw new WeChatTransportError({
          kind: "network",
          endpoint,
          message: `network error: ${error instanceof Error ? error.message : String(error)}`,
          cause: error,
        });
      }
    } finally {
      clearTimeout(timer);
    }

    const answer: Answer = { status: response.status, text, requestId: response.headers.get("request-id") };
    const signed = response.headers.get("wechatpay-signature") !== null;
    if (response.status >= 200 && response.status < 300) {
      this.#verifySigned(response.headers, text, endpoint);
      return answer;
    }
    // An error answer: WeChat Pay signs it when it verified our request (not a SIGN_ERROR).
    if (signed) this.#verifySigned(response.headers, text, endpoint);
    const error = parseErrorBody(text);
    if (!error) {
      // Not WeChat Pay's JSON: a gateway's page (502, 504) or an outage.
      throw new WeChatTransportError({
        kind: "http_status",
        endpoint,
        status: response.status,
        message: `returned HTTP ${response.status} without WeChat Pay's error body`,
      });
    }
    throw new WeChatPayApiError({
      status: response.status,
      code: error.code,
      message: error.message,
      detail: error.detail,
      endpoint,
      requestId: answer.requestId,
      verified: signed,
    });
  }

  /** Refuses what WeChat Pay did not sign: see WeChatPaySignatureError's problems. */
  #verifySigned(headers: PayHeaders, body: string, endpoint: string | null): void {
    const timestamp = header(headers, "wechatpay-timestamp");
    const nonce = header(headers, "wechatpay-nonce");
    const signature = header(headers, "wechatpay-signature");
    const serial = header(headers, "wechatpay-serial");
    if (!timestamp || !nonce || !signature || !serial) {
      throw new WeChatPaySignatureError("missing_headers", endpoint, "Wechatpay-Timestamp/-Nonce/-Signature/-Serial");
    }
    // Checked before anything else: a probe may carry our serial and a fresh timestamp.
    if (signature.startsWith(SIGNTEST_PREFIX)) {
      throw new WeChatPaySignatureError("signtest", endpoint, "WeChat Pay's signature probe");
    }
    if (serial !== this.#publicKeyId) {
      throw new WeChatPaySignatureError("unknown_serial", endpoint, `signed with ${serial.slice(0, 64)}`);
    }
    if (!/^\d{1,12}$/.test(timestamp)) throw new WeChatPaySignatureError("missing_headers", endpoint, "bad timestamp");
    const skew = Math.abs(Math.floor(this.#now() / 1000) - Number(timestamp));
    if (skew > MAX_CLOCK_SKEW_SECONDS) {
      throw new WeChatPaySignatureError("stale", endpoint, `timestamp ${skew} s from our clock`);
    }
    if (!verifySha256WithRsa(answerMessage(timestamp, nonce, body), signature, this.#publicKey)) {
      throw new WeChatPaySignatureError("bad_signature", endpoint, "the signature does not verify");
    }
  }

  #json<T>(answer: Answer, schema: z.ZodType<T>, endpoint: string): T {
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      throw new WeChatTransportError({
        kind: "bad_response",
        endpoint,
        status: answer.status,
        message: `returned a body that is not JSON (${answer.text.length} characters)`,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new WeChatTransportError({
        kind: "bad_response",
        endpoint,
        status: answer.status,
        message: `returned an unexpected body: ${summarizeIssues(parsed.error)}`,
      });
    }
    return parsed.data;
  }

  /** A query's answer must be the order asked about, of this merchant: never attach another's payment. */
  #ours(
    transaction: PayTransaction,
    endpoint: string,
    asked: { outTradeNo?: string; transactionId?: string },
  ): PayTransaction {
    const mismatch =
      transaction.mchid !== this.mchid ||
      transaction.appid !== this.appid ||
      (asked.outTradeNo !== undefined && transaction.outTradeNo !== asked.outTradeNo) ||
      (asked.transactionId !== undefined && transaction.transactionId !== asked.transactionId);
    if (mismatch) {
      throw new WeChatTransportError({
        kind: "bad_response",
        endpoint,
        status: 200,
        message: "answered with another order or merchant than the one asked",
      });
    }
    return transaction;
  }

  #sameRefund(refund: PayRefund, outRefundNo: string, endpoint: string): PayRefund {
    if (refund.outRefundNo !== outRefundNo) {
      throw new WeChatTransportError({
        kind: "bad_response",
        endpoint,
        status: 200,
        message: "answered with another refund than the one asked",
      });
    }
    return refund;
  }
}

function parseErrorBody(text: string): z.infer<typeof errorBodySchema> | null {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The host failed rather than our request: timeouts, network errors, any 5xx. */
function isHostFailure(error: unknown): boolean {
  if (error instanceof WeChatTransportError) {
    if (error.kind === "timeout" || error.kind === "network") return true;
    return error.kind === "http_status" && error.status !== undefined && error.status >= 500;
  }
  return error instanceof WeChatPayApiError && error.status >= 500 && error.info.action === "retry";
}

function isRetryable(error: unknown): boolean {
  if (error instanceof WeChatPayApiError) return error.info.action === "retry";
  return isHostFailure(error);
}
