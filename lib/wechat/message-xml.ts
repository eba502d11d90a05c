/**
 * The XML of pushes and passive replies. fast-xml-parser (actively maintained, no native code, entity
 * expansion can be switched off) does the parsing; before it runs, any markup declaration is refused:
 * `<!DOCTYPE`, `<!ENTITY`, comments, anything `<!` but CDATA. With no DOCTYPE there are no custom
 * entities, so expansion bombs and external entities (XXE) cannot happen, whatever the parser does.
 * WeChat never sends declarations, so nothing legitimate is lost.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { createHash } from "node:crypto";
import { z } from "zod";
import { storableText } from "./text";

export class MessageXmlError extends Error {
  override name = "MessageXmlError";
  constructor(
    readonly reason: "declaration" | "malformed" | "shape",
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Only the five predefined entities remain possible (declarations are refused above); HTML's are not XML.
  processEntities: true,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/** `<!` that does not open a CDATA section: DOCTYPE, ENTITY, ELEMENT, ATTLIST, NOTATION, comments. */
const MARKUP_DECLARATION = /<!(?!\[CDATA\[)/;

/** The children of the root `<xml>` element whose values are text (nested elements are dropped). */
export function parseXmlFields(xml: string): Record<string, string> {
  if (MARKUP_DECLARATION.test(xml)) throw new MessageXmlError("declaration", "markup declarations are refused");
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new MessageXmlError("malformed", valid.err.msg);
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (err) {
    throw new MessageXmlError("malformed", err instanceof Error ? err.message : "parse failed");
  }
  const root = (doc as Record<string, unknown> | null)?.xml;
  if (typeof root !== "object" || root === null || Array.isArray(root)) {
    throw new MessageXmlError("shape", "the root element must be <xml>");
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) {
    // Text the databases cannot store (U+0000, lone surrogates) must not fail the push it came in.
    if (typeof value === "string") fields[name] = storableText(value);
    // A repeated field is ambiguous: refuse rather than pick one.
    else if (Array.isArray(value)) throw new MessageXmlError("shape", `repeated <${name}>`);
  }
  return fields;
}

const openid = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const digits = z.string().regex(/^\d{1,20}$/);
/** Seconds since the epoch: ten digits last until 2286, more is not a time any database takes. */
const seconds = z.string().regex(/^\d{1,10}$/);

const messageSchema = z.object({
  ToUserName: z.string().min(1).max(64),
  FromUserName: openid,
  CreateTime: seconds,
  MsgType: z.string().regex(/^[A-Za-z_]{1,32}$/),
  MsgId: digits.optional(),
  Event: z
    .string()
    .regex(/^[A-Za-z_]{1,64}$/)
    .optional(),
  EventKey: z.string().max(2048).optional(),
  Content: z.string().max(8192).optional(),
});

export interface InboundMessage {
  /** The account's original id (gh_…). */
  readonly toUserName: string;
  /** The user's openid. */
  readonly openid: string;
  /** Seconds since the epoch, as WeChat sent it. */
  readonly createTime: number;
  readonly msgType: string;
  readonly msgId: string | null;
  readonly event: string | null;
  readonly eventKey: string | null;
  readonly content: string | null;
  /** Every text field, for summaries (Latitude, Label, Url, …). */
  readonly fields: Readonly<Record<string, string>>;
}

/** A decrypted push's XML → a checked message; throws MessageXmlError. */
export function parseInboundMessage(xml: string): InboundMessage {
  const fields = parseXmlFields(xml);
  const parsed = messageSchema.safeParse(fields);
  if (!parsed.success) throw new MessageXmlError("shape", parsed.error.issues.map((i) => i.path.join(".")).join(","));
  const m = parsed.data;
  return {
    toUserName: m.ToUserName,
    openid: m.FromUserName,
    createTime: Number(m.CreateTime),
    msgType: m.MsgType,
    msgId: m.MsgId ?? null,
    event: m.Event ?? null,
    eventKey: m.EventKey ?? null,
    content: m.Content ?? null,
    fields,
  };
}

/** The dedupe key of the delivery report (TEMPLATESENDJOBFINISH) of the template message `msgid`. */
export function deliveryDedupeKey(msgid: string): string {
  return `tpl:${msgid}`;
}

/**
 * The key WeChat's retries of one push share: MsgId for messages; for events (which have none)
 * FromUserName + CreateTime + Event + EventKey, hashed so a long VIEW URL stays a short key.
 */
export function dedupeKey(message: InboundMessage): string {
  if (message.msgId) return `msg:${message.msgId}`;
  // Two delivery reports to one person in the same second differ only by the msgid they report.
  const delivery = templateDeliveryOf(message);
  if (delivery) return deliveryDedupeKey(delivery.msgid);
  // Card events carry no EventKey: two codes taken by one person in a second, or two cards reviewed in a
  // second (the review pushes all come from one sender), differ only by the card and the code.
  const card = cardEventOrNull(message);
  if (card) {
    const code = "code" in card ? card.code : "";
    const tuple = [message.openid, message.createTime, card.event, card.cardId, code].join("\n");
    return `card:${createHash("sha256").update(tuple, "utf8").digest("base64url")}`;
  }
  const tuple = [message.openid, message.createTime, message.event ?? "", message.eventKey ?? ""].join("\n");
  return `evt:${createHash("sha256").update(tuple, "utf8").digest("base64url")}`;
}

/**
 * A TEMPLATESENDJOBFINISH push: the template message's msgid (MsgID, 64-bit, kept as text) and WeChat's
 * Status (success, failed:user block, failed: system failed); null for any other push.
 */
export function templateDeliveryOf(message: InboundMessage): { msgid: string; status: string } | null {
  if (message.msgType !== "event" || message.event !== "TEMPLATESENDJOBFINISH") return null;
  const msgid = message.fields.MsgID ?? message.fields.MsgId ?? "";
  if (!/^\d{1,20}$/.test(msgid)) return null;
  return { msgid, status: (message.fields.Status ?? "").slice(0, 200) };
}

// ---- card events (卡券事件) ----

export const CARD_EVENTS = [
  "card_pass_check",
  "card_not_pass_check",
  "user_get_card",
  "user_gifting_card",
  "user_del_card",
  "user_consume_card",
  "user_view_card",
] as const;
export type CardEventName = (typeof CARD_EVENTS)[number];

/** A card push, checked and typed. `openid` is the person's (FromUserName); review pushes have none. */
export type CardEvent =
  | { readonly event: "card_pass_check"; readonly cardId: string }
  | { readonly event: "card_not_pass_check"; readonly cardId: string; readonly refuseReason: string }
  | {
      readonly event: "user_get_card";
      readonly cardId: string;
      readonly openid: string;
      readonly code: string;
      /** Given by a friend (the friend is `friendOpenid`, their old code `oldCode`). */
      readonly isGiveByFriend: boolean;
      readonly friendOpenid: string | null;
      readonly oldCode: string | null;
      /** The channel of the QR code or cardExt it was taken through. */
      readonly outerStr: string | null;
      readonly unionid: string | null;
    }
  | {
      readonly event: "user_gifting_card";
      readonly cardId: string;
      readonly openid: string;
      readonly code: string;
      readonly friendOpenid: string | null;
      /** The gift came back (the friend did not take it in time). */
      readonly isReturnBack: boolean;
      readonly isChatRoom: boolean;
    }
  | { readonly event: "user_del_card"; readonly cardId: string; readonly openid: string; readonly code: string }
  | {
      readonly event: "user_consume_card";
      readonly cardId: string;
      readonly openid: string;
      readonly code: string;
      /** FROM_API (card/code/consume), FROM_MOBILE_HELPER (核销员 in WeChat), … */
      readonly consumeSource: string;
      readonly staffOpenid: string | null;
      readonly locationName: string | null;
      readonly outerStr: string | null;
    }
  | {
      readonly event: "user_view_card";
      readonly cardId: string;
      readonly openid: string;
      readonly code: string;
      readonly outerStr: string | null;
    };

const cardIdField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const cardCodeField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const flag = z.enum(["0", "1"]).optional();
const optionalOpenid = openid.optional().or(z.literal(""));
const shortText = z.string().max(256).optional();
const cardEventFields = z.object({
  CardId: cardIdField,
  UserCardCode: cardCodeField.optional(),
  RefuseReason: z.string().max(2048).optional(),
  IsGiveByFriend: flag,
  FriendUserName: optionalOpenid,
  OldUserCardCode: cardCodeField.optional().or(z.literal("")),
  OuterStr: shortText,
  UnionId: optionalOpenid,
  IsReturnBack: flag,
  IsChatRoom: flag,
  ConsumeSource: z
    .string()
    .regex(/^[A-Za-z_]{1,64}$/)
    .optional(),
  StaffOpenId: optionalOpenid,
  LocationName: shortText,
});

const orNull = (value: string | undefined) => (value === undefined || value === "" ? null : value);

/**
 * A card event push (card_pass_check, card_not_pass_check, user_get_card, user_gifting_card,
 * user_del_card, user_consume_card, user_view_card) as a typed value; null for any other push. Throws
 * MessageXmlError when it is a card event whose fields are not what WeChat sends.
 */
export function cardEventOf(message: InboundMessage): CardEvent | null {
  if (message.msgType !== "event" || !(CARD_EVENTS as readonly string[]).includes(message.event ?? "")) return null;
  const event = message.event as CardEventName;
  const parsed = cardEventFields.safeParse(message.fields);
  if (!parsed.success)
    throw new MessageXmlError("shape", `${event}: ${parsed.error.issues.map((i) => i.path.join(".")).join(",")}`);
  const f = parsed.data;
  if (event === "card_pass_check") return { event, cardId: f.CardId };
  if (event === "card_not_pass_check") return { event, cardId: f.CardId, refuseReason: f.RefuseReason ?? "" };
  if (f.UserCardCode === undefined) throw new MessageXmlError("shape", `${event}: UserCardCode`);
  const base = { cardId: f.CardId, openid: message.openid, code: f.UserCardCode };
  switch (event) {
    case "user_get_card":
      return {
        event,
        ...base,
        isGiveByFriend: f.IsGiveByFriend === "1",
        friendOpenid: orNull(f.FriendUserName),
        oldCode: orNull(f.OldUserCardCode),
        outerStr: orNull(f.OuterStr),
        unionid: orNull(f.UnionId),
      };
    case "user_gifting_card":
      return {
        event,
        ...base,
        friendOpenid: orNull(f.FriendUserName),
        isReturnBack: f.IsReturnBack === "1",
        isChatRoom: f.IsChatRoom === "1",
      };
    case "user_del_card":
      return { event, ...base };
    case "user_consume_card":
      return {
        event,
        ...base,
        consumeSource: f.ConsumeSource ?? "",
        staffOpenid: orNull(f.StaffOpenId),
        locationName: orNull(f.LocationName),
        outerStr: orNull(f.OuterStr),
      };
    case "user_view_card":
      return { event, ...base, outerStr: orNull(f.OuterStr) };
  }
}

/** cardEventOf, with a malformed card push treated as no card event (its dedupe key must never throw). */
function cardEventOrNull(message: InboundMessage): CardEvent | null {
  try {
    return cardEventOf(message);
  } catch {
    return null;
  }
}

/** CDATA that survives `]]>` in the text (split across two sections). */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll("]]>", "]]]]><![CDATA[>")}]]>`;
}

/** A passive text reply (回复文本消息). */
export function buildTextReply(input: { toOpenid: string; fromAccount: string; createTime: number; content: string }) {
  return (
    `<xml><ToUserName>${cdata(input.toOpenid)}</ToUserName><FromUserName>${cdata(input.fromAccount)}</FromUserName>` +
    `<CreateTime>${Math.floor(input.createTime)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content>${cdata(input.content)}</Content></xml>`
  );
}

/** The envelope of an encrypted reply (safe mode). */
export function buildEncryptedEnvelope(reply: {
  encrypt: string;
  msgSignature: string;
  timestamp: string;
  nonce: string;
}): string {
  return (
    `<xml><Encrypt>${cdata(reply.encrypt)}</Encrypt><MsgSignature>${cdata(reply.msgSignature)}</MsgSignature>` +
    `<TimeStamp>${reply.timestamp}</TimeStamp><Nonce>${cdata(reply.nonce)}</Nonce></xml>`
  );
}
