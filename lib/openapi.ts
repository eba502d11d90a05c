// The internal API as an OpenAPI 3.1 document, served at /api/internal/openapi.json: the request bodies
// are the routes' own zod schemas turned into JSON Schema by zod (z.toJSONSchema, draft 2020-12, which is
// OpenAPI 3.1's dialect), so the document cannot drift from what the routes accept. zod's built-in
// conversion is enough here; a library such as zod-to-openapi would add registries we do not need.
import { z } from "zod";
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
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

const json = (s: z.ZodType, description: string) => ({
  description,
  content: { "application/json": { schema: schema(s) } },
});
const errors = {
  "401": json(error, "no or wrong Bearer secret"),
  "404": json(error, "INTERNAL_API_SECRET is not set, or nothing has this id"),
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
        "For the account's other servers: the one basic access_token, jsapi_ticket and card api_ticket (中控服务器), and template messages. Every call carries `Authorization: Bearer <INTERNAL_API_SECRET>`.",
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
