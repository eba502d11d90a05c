// The message endpoint's protocol work: check the request (signature, timestamp window, nonce, body),
// decrypt, record the push first and answer at once; what the push means is applied afterwards
// (process.ts), so WeChat gets its answer well within its 5 seconds whatever happens downstream.
//
// Order of checks, and why a retry still gets its reply: the URL signature and the timestamp window
// come first (a forged or stale request is refused before anything is read from the database). Then
// the store (store.ts) records the nonce and the event, with the other pushes of the same moment.
// WeChat's retries of a push collapse onto the event's dedupe key: whether a retry reuses the signed
// query (the nonce row exists) or carries a fresh one (the event row exists, and the fresh query is now
// used up too), the first reply is replayed. A request whose nonce was used but whose message is new is
// a captured query re-used with another body (plaintext mode signs the query, not the body): refused.
// Replaying a captured request verbatim gains nothing: it gets the recorded reply back and records
// nothing.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { sha256 } from "@/lib/crypto";
import type { Db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";
import { MessageCryptoError, type MessageCrypto } from "@/lib/wechat/message-crypto";
import { checkMsgSignature, checkUrlSignature } from "@/lib/wechat/message-signature";
import {
  MessageXmlError,
  buildEncryptedEnvelope,
  buildTextReply,
  dedupeKey,
  parseInboundMessage,
  templateDeliveryOf,
  parseXmlFields,
  type InboundMessage,
} from "@/lib/wechat/message-xml";
import { scanQrLogin } from "@/lib/auth/qr-login";
import { channelWelcome } from "@/lib/qrcodes/qrcodes";
import { chooseReply, type AutoReplyCache } from "./auto-replies";
import type { MessageStore, NonceRow } from "./store";

/**
 * How far a request's timestamp may be from our clock. WeChat retries for about 15 s (three tries,
 * 5 s apart); 5 minutes leaves room for those and for clock skew, and bounds how long a nonce is kept.
 */
export const TIMESTAMP_WINDOW_SECONDS = 300;
/** WeChat's pushes are a few KB at most; anything larger is refused before it is parsed. */
export const MAX_PUSH_BYTES = 64 * 1024;

export interface MessageDeps {
  /** The GET verification's nonce and the sweep of expired nonces (rare: Prisma). */
  readonly db: Db;
  /** Records pushes and applies them (the hot path). */
  readonly store: MessageStore;
  readonly appId: string;
  readonly token: string;
  /** null without an EncodingAESKey: safe-mode pushes are then refused (503). */
  readonly crypto: MessageCrypto | null;
  readonly now: () => Date;
  /** The nonce of an encrypted reply. */
  readonly replyNonce: () => string;
  readonly autoReplies: AutoReplyCache;
  /**
   * Resolves when recording has taken too long to answer WeChat in time (default: 4 s, leaving a
   * second of WeChat's 5 for the network). Tests replace it.
   */
  readonly recordDeadline?: () => Promise<void>;
}

export const RECORD_DEADLINE_MS = 4000;

export const randomReplyNonce = (): string => String(randomBytes(4).readUInt32BE());

const querySchema = z.object({
  signature: z.string().max(64).optional(),
  timestamp: z.string().regex(/^\d{1,12}$/),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  encrypt_type: z.enum(["aes", "raw"]).optional(),
  msg_signature: z.string().max(64).optional(),
  echostr: z.string().min(1).max(1024).optional(),
});

type Query = z.output<typeof querySchema>;

const refuse = (reason: string, cause?: unknown): AppError => new AppError("push_refused", { detail: reason, cause });
const invalid = (reason: string, cause?: unknown): AppError => new AppError("push_invalid", { detail: reason, cause });

function first(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

/** Signature and timestamp window: everything a request must pass before the database is touched. */
/**
 * The query's checks (shape, signature, 5-minute window), which need no body: the route runs them
 * before reading one, so an unsigned request cannot hold a connection by trickling its body.
 */
export function checkPushQuery(deps: MessageDeps, params: URLSearchParams): void {
  checkRequest(deps, params);
}

function checkRequest(deps: MessageDeps, params: URLSearchParams): Query {
  const parsed = querySchema.safeParse(first(params));
  if (!parsed.success) throw refuse("query");
  const query = parsed.data;
  if (!checkUrlSignature(deps.token, query)) throw refuse("signature");
  const skew = Math.abs(deps.now().getTime() / 1000 - Number(query.timestamp));
  if (skew > TIMESTAMP_WINDOW_SECONDS) throw refuse("stale");
  return query;
}

/** sha256 of timestamp|nonce|signature: one signed query is accepted once. */
function nonceRow(deps: MessageDeps, query: Query): NonceRow {
  const key = sha256(`${query.timestamp}|${query.nonce}|${query.signature ?? ""}`);
  const base = Math.max(Number(query.timestamp) * 1000, deps.now().getTime());
  return { key, expiresAt: new Date(base + TIMESTAMP_WINDOW_SECONDS * 1000) };
}

/** GET verification (接入验证): the echostr, only when the signature holds; a replay of the same query is refused. */
export async function verifyUrl(deps: MessageDeps, params: URLSearchParams): Promise<string> {
  const query = checkRequest(deps, params);
  if (query.echostr === undefined) throw refuse("echostr");
  try {
    await deps.db.pushNonce.create({ data: nonceRow(deps, query) });
  } catch (err) {
    if (isUniqueViolation(err)) throw refuse("replayed");
    throw err;
  }
  return query.echostr;
}

export type PushMode = "plaintext" | "aes";

export interface PushOutcome {
  readonly mode: PushMode;
  /** "success", a plaintext reply, or the encrypted reply's envelope. */
  readonly body: string;
  readonly contentType: string;
  readonly eventId: string;
  /** True when this request recorded the event (false: a retry, answered with the first reply). */
  readonly recorded: boolean;
  /** A template message's delivery report: its msgid, to apply once the answer is out. */
  readonly delivery: string | null;
}

function summary(m: InboundMessage): string | null {
  const f = m.fields;
  if (m.content !== null) return m.content.slice(0, 2000);
  if (m.event === "LOCATION") return `${f.Latitude ?? "?"},${f.Longitude ?? "?"} ±${f.Precision ?? "?"}`;
  if (m.msgType === "location") return f.Label || `${f.Location_X ?? "?"},${f.Location_Y ?? "?"}`;
  if (m.msgType === "link") return f.Title ?? f.Url ?? null;
  if (m.msgType === "voice") return f.Recognition ?? null;
  return null;
}

function decryptBody(deps: MessageDeps, query: Query, body: string): string {
  if (!deps.crypto) throw new AppError("push_unavailable", { detail: "safe mode needs WECHAT_ENCODING_AES_KEY" });
  let fields: Record<string, string>;
  try {
    fields = parseXmlFields(body);
  } catch (err) {
    throw invalid("xml", err);
  }
  const encrypt = fields.Encrypt;
  if (!encrypt) throw invalid("no Encrypt");
  if (!checkMsgSignature(deps.token, { msgSignature: query.msg_signature, ...query }, encrypt)) {
    throw refuse("msg_signature");
  }
  try {
    return deps.crypto.decrypt(encrypt);
  } catch (err) {
    if (err instanceof MessageCryptoError && err.code === "appid") throw refuse("appid", err);
    throw invalid("decrypt", err);
  }
}

/**
 * A POST push, in plaintext, compatible or safe mode (`encrypt_type=aes`: the encrypted part is the
 * one that counts). Records the event (or finds the first attempt's) and returns the answer.
 */
export async function receivePush(deps: MessageDeps, params: URLSearchParams, body: string): Promise<PushOutcome> {
  const query = checkRequest(deps, params);
  const mode: PushMode = query.encrypt_type === "aes" ? "aes" : "plaintext";
  const xml = mode === "aes" ? decryptBody(deps, query, body) : body;
  let message: InboundMessage;
  try {
    message = parseInboundMessage(xml);
  } catch (err) {
    if (err instanceof MessageXmlError) throw invalid(`xml ${err.reason}`, err);
    throw err;
  }

  const now = deps.now();
  // A delivery report is recorded like any push, its msgid as the event's key and WeChat's Status as its
  // content; it is applied after the answer (lib/templates/delivery.ts).
  const delivery = templateDeliveryOf(message);
  const replyText =
    (await scanQrLogin(deps.db, message, now)) ??
    (await channelWelcome(deps.db, deps.appId, message)) ??
    chooseReply(await deps.autoReplies.rules(), message);
  const reply = replyText
    ? buildTextReply({
        toOpenid: message.openid,
        fromAccount: message.toUserName,
        createTime: now.getTime() / 1000,
        content: replyText,
      })
    : null;
  const key = dedupeKey(message);

  const recording = deps.store.record(nonceRow(deps, query), {
    dedupeKey: key,
    openid: message.openid,
    msgType: message.msgType,
    event: message.event,
    eventKey: delivery ? delivery.msgid : message.eventKey,
    content: delivery ? delivery.status : summary(message),
    payload: xml,
    createdAt: new Date(message.createTime * 1000),
    receivedAt: now,
    reply,
  });
  // A database that does not answer in time (a long write holding SQLite's lock, PostgreSQL failing
  // over) must not make WeChat wait past its 5 s: answer 503 now; WeChat retries, and if the insert
  // commits meanwhile the retry finds the event and gets its reply. The timer goes as soon as the record
  // is in (a thousand pushes a second must not leave four thousand timers pending).
  let timer: NodeJS.Timeout | undefined;
  const expired = deps.recordDeadline
    ? deps.recordDeadline().then(() => null)
    : new Promise<null>((resolve) => {
        timer = setTimeout(resolve, RECORD_DEADLINE_MS, null);
      });
  const outcome = await Promise.race([recording, expired]).finally(() => clearTimeout(timer));
  if (outcome === null) {
    recording.catch(() => undefined);
    throw new AppError("push_unavailable", { detail: "record deadline" });
  }
  // The nonce was taken by another message: a captured signed query re-used with a new body.
  if (outcome.kind === "replayed") throw refuse("replayed");
  const recorded = outcome.kind === "recorded";
  return {
    mode,
    eventId: outcome.id,
    recorded,
    delivery: delivery?.msgid ?? null,
    ...render(deps, mode, recorded ? reply : outcome.reply),
  };
}

function render(deps: MessageDeps, mode: PushMode, replyXml: string | null): { body: string; contentType: string } {
  if (replyXml === null) return { body: "success", contentType: "text/plain; charset=utf-8" };
  if (mode === "plaintext" || !deps.crypto) return { body: replyXml, contentType: "application/xml; charset=utf-8" };
  const timestamp = String(Math.floor(deps.now().getTime() / 1000));
  const sealed = deps.crypto.encryptReply(replyXml, timestamp, deps.replyNonce(), deps.token);
  return { body: buildEncryptedEnvelope(sealed), contentType: "application/xml; charset=utf-8" };
}

/** Reads at most `max` bytes of a request body; more is a 413, refused before it is all read. */
/** WeChat sends a push's few kilobytes at once: a body still arriving after this is not WeChat's. */
export const BODY_DEADLINE_MS = 2000;

export async function readCappedBody(
  request: Request,
  max = MAX_PUSH_BYTES,
  deadlineMs = BODY_DEADLINE_MS,
): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > max) throw new AppError("push_too_large");
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError("push_body_timeout")), deadlineMs);
  });
  late.catch(() => {});
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await Promise.race([reader.read(), late]);
    } catch (err) {
      clearTimeout(timer);
      await reader.cancel().catch(() => {});
      throw err;
    }
    const { done, value } = next;
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new AppError("push_too_large");
    }
    chunks.push(value);
  }
  clearTimeout(timer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Deletes nonces past their window; at most once a minute per process. */
export class NonceSweeper {
  #last = 0;
  constructor(
    private readonly db: Db,
    private readonly everyMs = 60_000,
  ) {}
  async maybeSweep(now: Date): Promise<number> {
    if (now.getTime() - this.#last < this.everyMs) return 0;
    this.#last = now.getTime();
    const { count } = await this.db.pushNonce.deleteMany({ where: { expiresAt: { lt: now } } });
    return count;
  }
}
