// The internal API as an OpenAPI 3.1 document, served at /api/internal/openapi.json: the request bodies
// are the routes' own zod schemas turned into JSON Schema by zod (z.toJSONSchema, draft 2020-12, which is
// OpenAPI 3.1's dialect), so the document cannot drift from what the routes accept. zod's built-in
// conversion is enough here; a library such as zod-to-openapi would add registries we do not need.
import { z } from "zod";
import { createOrderInput } from "@/lib/pay/orders";
import { refundInput } from "@/lib/pay/refunds";
import { internalSendInput } from "@/lib/templates/send";
import { refreshBody } from "@/lib/token/internal";

const schema = (s: z.ZodType) =>
  z.toJSONSchema(s, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;

const DESCRIBED = {
  access_token: "the basic access_token",
  jsapi_ticket: "the jsapi_ticket",
  card_ticket: "the cards' api_ticket (getticket type=wx_card), which signs wx.addCard's cardExt",
} as const;

const credential = (field: "access_token" | "ticket", kind: keyof typeof DESCRIBED) =>
  z.object({
    [field]: z.string().describe(DESCRIBED[kind]),
    expires_in: z.number().int().describe("seconds left"),
    expires_at: z.string().describe("ISO 8601"),
    version: z.number().int().describe("bumped on every new value"),
    fingerprint: z.string().describe("a short hash of the value, for logs"),
  });

const message = z.object({
  id: z.string(),
  status: z.enum(["pending", "sent", "delivered", "refused", "failed", "skipped"]),
  userId: z.string(),
  openid: z.string(),
  templateId: z.string().nullable(),
  msgid: z.string().nullable().describe("WeChat's msgid (64-bit, as text)"),
  errcode: z.number().int().nullable(),
  error: z.string().nullable().describe("why it failed or was skipped, in Chinese"),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  deliveredAt: z.string().nullable().describe("when WeChat's delivery report (TEMPLATESENDJOBFINISH) came"),
});

const error = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().describe("in Chinese"),
    errcode: z.number().int().optional(),
    issues: z.array(z.string()).optional().describe("what is wrong with the body (400 bad_request)"),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

const payStatus = z
  .enum(["unpaid", "paid", "refunded", "closed"])
  .describe("refunded: refunds add up to the amount; a partly refunded order stays paid");
const createdOrder = z.object({
  id: z.string(),
  outTradeNo: z.string().describe("ours, sent to WeChat Pay (out_trade_no)"),
  status: payStatus,
  payUrl: z.string().describe("the cashier page to send the payer to: {APP_URL}/pay/<id>"),
});
const refund = z.object({
  id: z.string(),
  outRefundNo: z.string().describe("ours, sent to WeChat Pay (out_refund_no)"),
  amount: z.number().int().describe("fen"),
  reason: z.string().nullable(),
  status: z
    .enum(["pending", "processing", "success", "closed", "abnormal", "failed"])
    .describe(
      "pending: not yet accepted by WeChat Pay (sent again); processing: accepted; success: money back; closed: not refunded; abnormal: could not go back the way it came (by hand); failed: refused (see error)",
    ),
  error: z.string().nullable().describe("why it failed or is abnormal, in Chinese, with WeChat Pay's code"),
  payCode: z.string().nullable().describe("WeChat Pay's error code of a refusal"),
  createdBy: z.string().describe("internal, or the staff member's email"),
  createdAt: z.string(),
  successAt: z.string().nullable(),
});
const order = createdOrder.extend({
  userId: z.string(),
  openid: z.string().describe("the payer: the person's openid of the account"),
  description: z.string(),
  amount: z.number().int().describe("fen"),
  attach: z.string().nullable(),
  returnUrl: z.string().nullable(),
  webhookUrl: z.string().nullable(),
  transactionId: z.string().nullable().describe("WeChat Pay's order number, once paid"),
  paidAt: z.string().nullable(),
  refundedAmount: z.number().int().describe("fen, refunds completed"),
  expiresAt: z.string(),
  closedAt: z.string().nullable(),
  createdAt: z.string(),
  refunds: z.array(refund),
});

const json = (s: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema: schema(s) } },
});
const errors = {
  "401": json(error, "no or wrong Bearer secret"),
  "404": json(error, "INTERNAL_API_SECRET is not set, or nothing has this id"),
};
const payErrors = {
  ...errors,
  "404": json(
    error,
    "INTERNAL_API_SECRET is not set, no such order (pay_order_not_found) or person (pay_user_not_found), or payments are off (pay_disabled)",
  ),
};

function credentialPaths(path: string, field: "access_token" | "ticket", kind: keyof typeof DESCRIBED) {
  const tag = kind === "card_ticket" ? "card api_ticket (wx_card)" : kind;
  return {
    [path]: {
      get: {
        tags: ["token"],
        summary: `The current ${tag}, from the central token service`,
        responses: { "200": json(credential(field, kind), "the value and when it expires"), ...errors },
      },
    },
    [`${path}/refresh`]: {
      post: {
        tags: ["token"],
        summary: `Report a ${tag} WeChat refused (40001/42001): compare-and-expire, then the value to retry with`,
        requestBody: { required: true, content: { "application/json": { schema: schema(refreshBody[kind]) } } },
        responses: { "200": json(credential(field, kind), "the value to retry with"), ...errors },
      },
    },
  };
}

export function openApiDocument(appUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "WeChat User Center internal API",
      version: "1",
      description:
        "For the account's other servers: the one basic access_token, jsapi_ticket and card api_ticket (中控服务器), template messages, and WeChat Pay orders and refunds. Every call carries `Authorization: Bearer <INTERNAL_API_SECRET>`.",
    },
    servers: [{ url: appUrl }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths: {
      ...credentialPaths("/api/internal/wechat/access-token", "access_token", "access_token"),
      ...credentialPaths("/api/internal/wechat/jsapi-ticket", "ticket", "jsapi_ticket"),
      ...credentialPaths("/api/internal/wechat/card-ticket", "ticket", "card_ticket"),
      "/api/internal/wechat/template-messages": {
        post: {
          tags: ["template messages"],
          summary: "Send a template message to one person (by openid or userId), once per idempotencyKey",
          requestBody: { required: true, content: { "application/json": { schema: schema(internalSendInput) } } },
          responses: {
            "202": json(message, "made and sent (or skipped: unfollowed, blacklisted; or failed: WeChat refused)"),
            "200": json(message, "an earlier send with this idempotencyKey: nothing was sent now"),
            "400": json(error, "a value that does not fit its field (named in error.fields), or a bad body"),
            ...errors,
          },
        },
      },
      "/api/internal/pay/orders": {
        post: {
          tags: ["WeChat Pay"],
          summary: "Make an order for the cashier page (by userId or openid), once per idempotencyKey",
          requestBody: { required: true, content: { "application/json": { schema: schema(createOrderInput) } } },
          responses: {
            "201": json(createdOrder, "made: send the payer to payUrl"),
            "200": json(createdOrder, "an earlier request with this idempotencyKey made it"),
            "400": json(
              error,
              "a bad body (error.issues), or returnUrl/webhookUrl off PAY_ALLOWED_ORIGINS (error.fields)",
            ),
            "409": json(error, "the idempotencyKey with another body (pay_key_reused), or an outTradeNo already used"),
            ...payErrors,
          },
        },
      },
      "/api/internal/pay/orders/{id}": {
        get: {
          tags: ["WeChat Pay"],
          summary: "An order: its status, payment, refunded amount and refunds",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": json(order, "the order"), ...payErrors },
        },
      },
      "/api/internal/pay/orders/{id}/refunds": {
        post: {
          tags: ["WeChat Pay"],
          summary: "Refund part or all of a paid order (never above what is left), once per idempotencyKey",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/json": { schema: schema(refundInput) } } },
          responses: {
            "201": json(refund, "asked of WeChat Pay: its status, or failed with WeChat Pay's reason"),
            "200": json(refund, "an earlier request with this idempotencyKey made it"),
            "400": json(error, "a bad body (error.issues)"),
            "409": json(
              error,
              "the order is not paid (pay_order_not_paid), more than is left (pay_refund_exceeds, with refundable), 50 refunds already (pay_refund_limit), or the idempotencyKey with another body (pay_key_reused)",
            ),
            ...payErrors,
          },
        },
      },
      "/api/internal/wechat/template-messages/{id}": {
        get: {
          tags: ["template messages"],
          summary: "A template message's status, with WeChat's delivery result once it came",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": json(message, "the message"), ...errors },
        },
      },
    },
  };
}
