/** WeChat Pay API v3 (JSAPI, ordinary merchant): the client, its errors, rules and typed values. */
export {
  WeChatPay,
  type BridgePayRequest,
  type JsapiOrderInput,
  type PayHeaders,
  type PayNotification,
  type Prepay,
  type RefundEventType,
  type RefundInput,
  type RefundTarget,
  type WeChatPayConfig,
  type WeChatPayDeps,
} from "./client";
export {
  WECHAT_PAY_ERRORS,
  WeChatPayApiError,
  WeChatPayNotificationError,
  WeChatPaySignatureError,
  canonicalPayCode,
  describePayError,
  isWeChatPayApiError,
  type PayErrorAction,
  type PayErrorInfo,
  type PayNotificationProblem,
  type PaySignatureProblem,
} from "./errors";
export {
  MAX_CLOCK_SKEW_SECONDS,
  MAX_REFUNDS_PER_ORDER,
  PREPAY_TTL_SECONDS,
  formatBeijingTime,
  isAmount,
  isOutRefundNo,
  isOutTradeNo,
  notifyUrlProblem,
} from "./rules";
export {
  PAID_STATES,
  REFUND_STATUSES,
  TRADE_STATES,
  type PayAmount,
  type PayNotificationEnvelope,
  type PayRefund,
  type PayTransaction,
  type RefundNotice,
  type RefundStatus,
  type TradeState,
} from "./schemas";
