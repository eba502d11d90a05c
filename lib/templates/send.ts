// Sending to one person: a template message (from their page in the console, or from another server
// through the internal API) and a customer service reply (客服消息, within 48 hours of their last
// message or event). Every message is an OutboundMessage written before the call (`sending`, with the
// client_msg_id WeChat de-duplicates by) and after it (`sent` with WeChat's msgid, or `failed`); the
// delivery report (TEMPLATESENDJOBFINISH) moves it on to delivered, refused or failed (delivery.ts).
import { z } from "zod";
import { loginPath } from "@/lib/auth/login";
import type { Db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { WeChatApiError } from "@/lib/wechat/errors";
import { utf8Bytes } from "@/lib/wechat/text";
import { fieldOf47003, templateDataProblems, type TemplateData, type TemplateField } from "@/lib/wechat/template";
import { applyDeliveries } from "./delivery";
import { getTemplate, newClientMsgId, refreshTemplates, type TemplateDeps } from "./templates";

/** WeChat's `data`: `{"thing1":{"value":"…"}}`; `color` and other keys of a value are dropped (WeChat ignores them). */
export const templateDataSchema = z
  .record(
    z.string().regex(/^[A-Za-z_]{1,40}\d{0,4}$/, "字段名无效。"),
    z.object({ value: z.string().max(1000, "内容过长。") }),
  )
  .refine((d) => Object.keys(d).length <= 50, "字段过多。");

const httpUrl = z
  .string()
  .trim()
  .max(1024, "链接最多 1024 个字符。")
  .refine((u) => {
    try {
      const url = new URL(u);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch {
      return false;
    }
  }, "链接须是 http:// 或 https:// 开头的完整网址。");

export const miniProgramSchema = z
  .object({
    appid: z.string().regex(/^wx[0-9a-zA-Z]{16}$/, "小程序 AppID 须为 wx 开头的 18 位。"),
    pagepath: z.string().max(512).optional(),
  })
  .strict();

/** The message part of every send (console, internal API, mass send): WeChat's own names and shapes. */
export const templateMessageInput = z.object({
  templateId: z.string().min(1).max(128),
  data: templateDataSchema,
  url: httpUrl.optional(),
  miniprogram: miniProgramSchema.optional(),
});
export type TemplateMessageInput = z.output<typeof templateMessageInput>;

/** POST /api/admin/users/<id>/reply */
export const replyInput = z
  .object({
    text: z
      .string()
      .trim()
      .min(1, "请填写回复内容。")
      .refine((t) => utf8Bytes(t) <= 2048, "回复最多 2048 字节（约 680 个汉字）。"),
  })
  .strict();

export type MessageStatus = "pending" | "sent" | "delivered" | "refused" | "failed" | "skipped";

export interface OutboundView {
  readonly id: string;
  readonly kind: "template" | "text";
  readonly userId: string;
  readonly openid: string;
  readonly templateId: string | null;
  readonly status: MessageStatus;
  readonly msgid: string | null;
  readonly errcode: number | null;
  /** why it failed or was skipped, in Chinese */
  readonly error: string | null;
  readonly url: string | null;
  /** the reply's text */
  readonly content: string | null;
  readonly data: TemplateData | null;
  readonly source: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
  readonly deliveredAt: string | null;
}

type Row = Awaited<ReturnType<Db["outboundMessage"]["findFirstOrThrow"]>>;

/** `sending` is ours (the call may be under way or cut short): outside it is still pending. */
export function publicStatus(status: string): MessageStatus {
  return status === "sending" ? "pending" : (status as MessageStatus);
}

export function toOutboundView(row: Row): OutboundView {
  return {
    id: row.id,
    kind: row.kind as OutboundView["kind"],
    userId: row.userId,
    openid: row.openid,
    templateId: row.templateId,
    status: publicStatus(row.status),
    msgid: row.msgid,
    errcode: row.errcode,
    error: row.error,
    url: row.url,
    content: row.content,
    data: row.data ? (JSON.parse(row.data) as TemplateData) : null,
    source: row.source,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}

/**
 * A link to one of our own pages gets the login put in front (the person arrives signed in, silently);
 * any other link is sent as given.
 */
export function linkWithLogin(url: string, appUrl: string): string {
  const target = new URL(url);
  if (target.origin !== new URL(appUrl).origin || target.pathname.startsWith("/api/")) return url;
  return `${appUrl}${loginPath("snsapi_base", `${target.pathname}${target.search}${target.hash}`)}`;
}

/** The data checked against the template's fields, or 400 template_data_invalid naming each field. */
export function checkTemplateData(fields: readonly TemplateField[], data: TemplateData): void {
  const problems = templateDataProblems(fields, data);
  if (problems.length > 0)
    throw new AppError("template_data_invalid", {
      userMessage: problems[0]!.message,
      extra: { fields: problems },
    });
}

/** The template, refreshing the list once when we do not know it yet (added on WeChat's own site). */
export async function knownTemplate(deps: TemplateDeps, templateId: string) {
  try {
    return await getTemplate(deps, templateId);
  } catch (error) {
    if (!(error instanceof AppError && error.code === "template_not_found")) throw error;
    await refreshTemplates(deps);
    return getTemplate(deps, templateId);
  }
}

export interface Recipient {
  readonly userId: string;
  readonly openid: string;
  /** Why we do not send (unsubscribed, blacklisted), or null. */
  readonly skip: string | null;
}

export const SKIP_UNSUBSCRIBED = "对方已取消关注公众号，未发送。";
export const SKIP_BLACKLISTED = "对方在公众号黑名单中，未发送。";

/** The person as this account knows them (their openid), or 404; with why we would not send. */
export async function findRecipient(
  deps: Pick<TemplateDeps, "db" | "appId">,
  who: { readonly userId: string } | { readonly openid: string },
): Promise<Recipient> {
  const identity = await deps.db.identity.findFirst({
    where: "userId" in who ? { appid: deps.appId, userId: who.userId } : { appid: deps.appId, openid: who.openid },
    orderBy: { createdAt: "asc" },
    select: { openid: true, user: { select: { id: true, subscribed: true, blacklisted: true } } },
  });
  if (!identity) throw new AppError("follower_not_found");
  const { user } = identity;
  const skip = user.subscribed === false ? SKIP_UNSUBSCRIBED : user.blacklisted ? SKIP_BLACKLISTED : null;
  return { userId: user.id, openid: identity.openid, skip };
}

/** What a refusal reads as on the message: WeChat's staff words, with the field a 47003 names. */
export function refusalText(error: unknown): { errcode: number | null; error: string } {
  if (error instanceof WeChatApiError) {
    const field = error.errcode === 47003 ? fieldOf47003(error.errmsg) : null;
    const words = error.info.staffMessage ?? error.info.userMessage;
    return { errcode: error.errcode, error: field ? `${words}（微信指出字段 ${field}）` : words };
  }
  return { errcode: null, error: "微信无响应或返回异常，消息可能未发出。" };
}

export interface SendMeta {
  readonly source: "console" | "api";
  readonly createdBy?: string | null;
  /** The internal API's: a second send with the same key answers the first message. */
  readonly idempotencyKey?: string;
}

export interface SendResult {
  readonly message: OutboundView;
  /** true: an earlier send with the same idempotency key (nothing was sent now) */
  readonly replayed: boolean;
  /** WeChat's refusal or the transport failure, when the message failed (already recorded on it) */
  readonly error?: unknown;
}

/**
 * One template message to one person. Checks the data against the template's fields first (400 naming
 * them); a person we know has unfollowed or is blacklisted is recorded as skipped, not sent to.
 */
export async function sendTemplateMessage(
  deps: TemplateDeps,
  to: { readonly userId: string } | { readonly openid: string },
  input: TemplateMessageInput,
  meta: SendMeta,
): Promise<SendResult> {
  const { db, appId } = deps;
  if (meta.idempotencyKey) {
    const first = await db.outboundMessage.findUnique({
      where: { appId_idempotencyKey: { appId, idempotencyKey: meta.idempotencyKey } },
    });
    if (first) return { message: toOutboundView(first), replayed: true };
  }
  const template = await knownTemplate(deps, input.templateId);
  checkTemplateData(template.fields, input.data);
  const recipient = await findRecipient(deps, to);
  const url = input.url ? linkWithLogin(input.url, deps.appUrl) : undefined;
  const clientMsgId = (deps.newClientMsgId ?? newClientMsgId)();
  let row: Row;
  try {
    row = await db.outboundMessage.create({
      data: {
        appId,
        kind: "template",
        userId: recipient.userId,
        openid: recipient.openid,
        templateId: template.templateId,
        data: JSON.stringify(input.data),
        url: url ?? null,
        miniprogram: input.miniprogram ? JSON.stringify(input.miniprogram) : null,
        status: recipient.skip ? "skipped" : "sending",
        error: recipient.skip,
        clientMsgId,
        idempotencyKey: meta.idempotencyKey ?? null,
        source: meta.source,
        createdBy: meta.createdBy ?? null,
        createdAt: deps.now(),
      },
    });
  } catch (error) {
    // The same key sent at the same moment: the other request's message is the answer.
    if (meta.idempotencyKey && isUniqueViolation(error)) {
      const first = await db.outboundMessage.findUniqueOrThrow({
        where: { appId_idempotencyKey: { appId, idempotencyKey: meta.idempotencyKey } },
      });
      return { message: toOutboundView(first), replayed: true };
    }
    throw error;
  }
  if (recipient.skip) return { message: toOutboundView(row), replayed: false };

  try {
    const { msgid } = await deps.wechat.send({
      touser: recipient.openid,
      templateId: template.templateId,
      data: input.data,
      url,
      miniprogram: input.miniprogram,
      clientMsgId,
    });
    row = await db.outboundMessage.update({
      where: { id: row.id },
      data: { status: "sent", msgid, sentAt: deps.now() },
    });
    // The delivery report may have come before this write committed: apply it now (delivery.ts).
    if (await applyDeliveries(db, appId, [msgid]))
      row = await db.outboundMessage.findUniqueOrThrow({ where: { id: row.id } });
    return { message: toOutboundView(row), replayed: false };
  } catch (error) {
    const failed = refusalText(error);
    row = await db.outboundMessage.update({ where: { id: row.id }, data: { status: "failed", ...failed } });
    log.warn("template_send_failed", { messageId: row.id, errcode: failed.errcode ?? undefined, source: meta.source });
    return { message: toOutboundView(row), replayed: false, error };
  }
}

export async function getOutboundMessage(deps: Pick<TemplateDeps, "db" | "appId">, id: string): Promise<OutboundView> {
  const row = await deps.db.outboundMessage.findFirst({ where: { id, appId: deps.appId } });
  if (!row) throw new AppError("message_not_found");
  return toOutboundView(row);
}

/** The person's messages from us, newest first (one side of their page's timeline, lib/messages/timeline.ts). */
export async function listOutbound(db: Db, userId: string, limit = 50): Promise<OutboundView[]> {
  const rows = await db.outboundMessage.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map(toOutboundView);
}

export const REPLY_WINDOW_MS = 48 * 3600_000;
export const REPLIES_PER_WINDOW = 20;
/** Pushes that are not the person's doing: they open no reply window. */
const NOT_THE_PERSONS = ["TEMPLATESENDJOBFINISH", "MASSSENDJOBFINISH", "unsubscribe"];

export interface ReplyWindow {
  /** the person's last message or event to the account (WeChat's time), or null */
  readonly lastAt: string | null;
  /** replies are possible until then */
  readonly until: string | null;
  readonly open: boolean;
  /** replies sent since their last message (WeChat allows 20 without an answer) */
  readonly repliesSince: number;
}

/** When the 48-hour window since the person's last message or event closes, as our records say. */
export async function replyWindow(deps: Pick<TemplateDeps, "db" | "now">, userId: string): Promise<ReplyWindow> {
  const last = await deps.db.weChatEvent.findFirst({
    where: { userId, NOT: { msgType: "event", event: { in: NOT_THE_PERSONS } } },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true },
  });
  if (!last) return { lastAt: null, until: null, open: false, repliesSince: 0 };
  const until = new Date(last.createdAt.getTime() + REPLY_WINDOW_MS);
  const repliesSince = await deps.db.outboundMessage.count({
    where: { userId, kind: "text", status: "sent", createdAt: { gte: last.createdAt } },
  });
  return {
    lastAt: last.createdAt.toISOString(),
    until: until.toISOString(),
    open: until > deps.now(),
    repliesSince,
  };
}

const refusedBeforeCalling = (errcode: number, why: string) =>
  new WeChatApiError({
    errcode,
    errmsg: `refused before calling WeChat: ${why}`,
    endpoint: "/cgi-bin/message/custom/send",
  });

/**
 * A customer service text to the person (message/custom/send), offered only while the 48-hour window
 * is open (45015 otherwise, before calling) and up to 20 replies without an answer (45047). Recorded
 * on their timeline whether it went or not; a refusal is thrown after recording it.
 */
export async function sendReply(
  deps: TemplateDeps,
  userId: string,
  text: string,
  staff: string,
): Promise<OutboundView> {
  const recipient = await findRecipient(deps, { userId });
  const window = await replyWindow(deps, userId);
  if (!window.open) throw refusedBeforeCalling(45015, "the 48-hour window is closed");
  if (window.repliesSince >= REPLIES_PER_WINDOW) throw refusedBeforeCalling(45047, "20 replies without an answer");
  let row = await deps.db.outboundMessage.create({
    data: {
      appId: deps.appId,
      kind: "text",
      userId,
      openid: recipient.openid,
      content: text,
      status: "sending",
      clientMsgId: (deps.newClientMsgId ?? newClientMsgId)(),
      source: "console",
      createdBy: staff,
      createdAt: deps.now(),
    },
  });
  try {
    await deps.custom.sendText(recipient.openid, text);
  } catch (error) {
    await deps.db.outboundMessage.update({ where: { id: row.id }, data: { status: "failed", ...refusalText(error) } });
    throw error;
  }
  row = await deps.db.outboundMessage.update({ where: { id: row.id }, data: { status: "sent", sentAt: deps.now() } });
  return toOutboundView(row);
}

/** The internal API's body: WeChat's names for the message, the person by openid or our user id, and a key. */
export const internalSendInput = templateMessageInput
  .extend({
    openid: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
    userId: z.string().min(1).max(64).optional(),
    idempotencyKey: z.string().min(1).max(128),
  })
  .strict()
  .refine((b) => (b.openid === undefined) !== (b.userId === undefined), "请给出 openid 或 userId 其中之一。");

/** A message as the internal API answers it. */
export function internalView(m: OutboundView) {
  return {
    id: m.id,
    status: m.status,
    userId: m.userId,
    openid: m.openid,
    templateId: m.templateId,
    msgid: m.msgid,
    errcode: m.errcode,
    error: m.error,
    createdAt: m.createdAt,
    sentAt: m.sentAt,
    deliveredAt: m.deliveredAt,
  };
}
