/**
 * WeChat's side of the message endpoint: pushes signed (and in safe mode encrypted) events and messages
 * to the app's URL, as WeChat does, and checks the answer: `success`/empty, or a passive reply whose
 * MsgSignature must hold and whose ciphertext must carry our appid. With no answer within 5 seconds
 * it retries, up to 3 times (WeChat: "五秒内收不到响应会断掉连接，并且重新发起请求，总共重试三次").
 *
 * Its AES, signature and XML code is its own (protocol.ts).
 *
 * WeChat does not document whether a retry reuses the signed query; `retrySignature` chooses ("same",
 * the default, or "fresh") so both can be exercised.
 */
import { randomBytes } from "node:crypto";
import { keepAliveFetch, type SimFetch } from "../http/client";
import { control, type ControlInput } from "../http/router";
import type { SimCore, Surface } from "../surface";
import { PushInputError, cdata, decryptFrom, encryptFor, readFields, sign } from "./protocol";

/** The simulator's message-endpoint settings; the app's development defaults (lib/env.ts) are the same values. */
export const PUSH_DEFAULTS = {
  token: "simmessagetoken2026",
  encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
  /** The account's original id (ToUserName of every push). */
  accountId: "gh_5e1f0c0de001",
  target: "http://localhost:3000/api/wechat/message",
  attemptTimeoutMs: 5000,
  retries: 3,
} as const;

export type PushMode = "plaintext" | "compatible" | "aes";
export const PUSH_TYPES = [
  "subscribe",
  "unsubscribe",
  "SCAN",
  "CLICK",
  "VIEW",
  "LOCATION",
  "text",
  "TEMPLATESENDJOBFINISH",
  // card events (cgi/cards.ts): their fields come in `fields`
  "card_pass_check",
  "card_not_pass_check",
  "user_get_card",
  "user_gifting_card",
  "user_del_card",
  "user_consume_card",
  "user_view_card",
] as const;
export type PushType = (typeof PUSH_TYPES)[number];
const CARD_PUSH_TYPES: ReadonlySet<string> = new Set(
  PUSH_TYPES.filter((t) => t.startsWith("card_") || t.startsWith("user_")),
);

export interface PushInput {
  /** The app's endpoint; default the extension's target. */
  readonly target?: string;
  readonly mode?: PushMode;
  readonly type: PushType;
  readonly openid: string;
  /** CLICK key, VIEW URL, SCAN scene; for subscribe `qrscene_…` (via a QR code) or nothing. */
  readonly eventKey?: string;
  /** subscribe through a QR code, and SCAN: the code's ticket. */
  readonly ticket?: string;
  /** Text messages. */
  readonly content?: string;
  /** Text messages' MsgId; TEMPLATESENDJOBFINISH's MsgID (the template message's msgid). */
  readonly msgId?: string;
  /** TEMPLATESENDJOBFINISH: success, failed:user block, failed: system failed. */
  readonly status?: string;
  /** Card events: their elements after Event, in order (CardId, UserCardCode, IsGiveByFriend, …). */
  readonly fields?: readonly (readonly [string, string])[];
  /** Seconds; default the simulator clock. */
  readonly createTime?: number;
  readonly latitude?: number;
  readonly longitude?: number;
  readonly precision?: number;
  readonly retrySignature?: "same" | "fresh";
  readonly retries?: number;
  /** This push's Token and EncodingAESKey, when the app under test is configured with others than the simulator's. */
  readonly token?: string;
  readonly encodingAesKey?: string;
  /** Break one thing on purpose, to see the app refuse it. */
  readonly tamper?: "signature" | "msg_signature" | "appid" | "stale";
}

export interface PushAttempt {
  readonly n: number;
  /** null: no answer (timed out or the connection failed). */
  readonly status: number | null;
  readonly timedOut: boolean;
  readonly ms: number;
  readonly error?: string;
}

export interface PushReport {
  /** An answer came, with HTTP 200, and its reply (if any) checked out. */
  readonly ok: boolean;
  readonly mode: PushMode;
  readonly attempts: readonly PushAttempt[];
  /** The XML pushed (before encryption). */
  readonly pushed: string;
  /** The last answer's body as received. */
  readonly raw: string | null;
  /** none: "success" or empty; plain: a plaintext reply; verified: MsgSignature and appid held; else what failed. */
  readonly replyCheck:
    "none" | "plain" | "verified" | "bad_signature" | "bad_appid" | "bad_reply" | "no_answer" | "error_status";
  /** The reply's XML (decrypted) and its fields, when there is one. */
  readonly reply: { readonly xml: string; readonly fields: Readonly<Record<string, string>> } | null;
}

export interface PusherOptions {
  token?: string;
  encodingAesKey?: string;
  accountId?: string;
  target?: string;
  attemptTimeoutMs?: number;
  retries?: number;
  /** The HTTP client (default: kept-alive node:http; tests pass a fetch). */
  fetch?: SimFetch;
  /** Resolves when an attempt has waited long enough: tests replace it, so no test sleeps 5 s. */
  waitForTimeout?: (ms: number, attempt: number) => Promise<void>;
}

export function buildPushXml(input: PushInput, accountId: string, createTime: number): string {
  const parts = [
    `<ToUserName>${cdata(accountId)}</ToUserName>`,
    `<FromUserName>${cdata(input.openid)}</FromUserName>`,
    `<CreateTime>${createTime}</CreateTime>`,
  ];
  if (input.type === "text") {
    parts.push(`<MsgType><![CDATA[text]]></MsgType>`, `<Content>${cdata(input.content ?? "")}</Content>`);
    parts.push(
      `<MsgId>${input.msgId ?? String(BigInt(createTime) * 1_000_000n + BigInt(randomBytes(2).readUInt16BE(0)))}</MsgId>`,
    );
  } else {
    parts.push(`<MsgType><![CDATA[event]]></MsgType>`, `<Event>${cdata(input.type)}</Event>`);
    if (input.type === "LOCATION") {
      parts.push(
        `<Latitude>${input.latitude ?? 23.137466}</Latitude>`,
        `<Longitude>${input.longitude ?? 113.352425}</Longitude>`,
        `<Precision>${input.precision ?? 119.38504}</Precision>`,
      );
    } else if (input.type === "TEMPLATESENDJOBFINISH") {
      parts.push(`<MsgID>${input.msgId ?? "0"}</MsgID>`, `<Status>${cdata(input.status ?? "success")}</Status>`);
    } else if (CARD_PUSH_TYPES.has(input.type)) {
      // As WeChat writes them: numbers bare, text in CDATA.
      for (const [name, value] of input.fields ?? [])
        parts.push(`<${name}>${/^\d+$/.test(value) ? value : cdata(value)}</${name}>`);
    } else if (input.eventKey !== undefined || input.type !== "subscribe") {
      parts.push(`<EventKey>${cdata(input.eventKey ?? "")}</EventKey>`);
      if (input.ticket !== undefined) parts.push(`<Ticket>${cdata(input.ticket)}</Ticket>`);
    }
  }
  return `<xml>${parts.join("")}</xml>`;
}

function checkInput(input: ControlInput): PushInput {
  const type = input.type;
  if (typeof type !== "string" || !(PUSH_TYPES as readonly string[]).includes(type)) {
    throw new PushInputError(`type must be one of ${PUSH_TYPES.join(", ")}`);
  }
  const openid = input.openid;
  if (typeof openid !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(openid))
    throw new PushInputError("openid must be an openid");
  const mode = input.mode ?? "plaintext";
  if (mode !== "plaintext" && mode !== "compatible" && mode !== "aes")
    throw new PushInputError("mode must be plaintext, compatible or aes");
  for (const key of [
    "target",
    "eventKey",
    "ticket",
    "content",
    "msgId",
    "status",
    "token",
    "encodingAesKey",
  ] as const) {
    if (input[key] !== undefined && typeof input[key] !== "string") throw new PushInputError(`${key} must be a string`);
  }
  for (const key of ["createTime", "retries", "latitude", "longitude", "precision"] as const) {
    if (input[key] !== undefined && (typeof input[key] !== "number" || !Number.isFinite(input[key]))) {
      throw new PushInputError(`${key} must be a number`);
    }
  }
  if (input.fields !== undefined) {
    const fields = input.fields;
    if (
      !Array.isArray(fields) ||
      !fields.every(
        (f: unknown) =>
          Array.isArray(f) &&
          f.length === 2 &&
          typeof f[0] === "string" &&
          /^[A-Za-z]{1,64}$/.test(f[0]) &&
          typeof f[1] === "string",
      )
    )
      throw new PushInputError("fields must be [name, value] pairs of strings (names: letters)");
  }
  if (input.retrySignature !== undefined && input.retrySignature !== "same" && input.retrySignature !== "fresh") {
    throw new PushInputError("retrySignature must be same or fresh");
  }
  const tampers = ["signature", "msg_signature", "appid", "stale"];
  if (input.tamper !== undefined && !tampers.includes(input.tamper as string))
    throw new PushInputError(`tamper must be one of ${tampers.join(", ")}`);
  return { ...(input as unknown as PushInput), mode, type: type as PushType, openid };
}

export class MessagePusher implements Surface {
  private token: string;
  private encodingAesKey: string;
  private readonly accountId: string;
  private target: string;
  private readonly attemptTimeoutMs: number;
  private readonly retries: number;
  private readonly fetchFn: SimFetch;
  private readonly waitForTimeout: (ms: number, attempt: number) => Promise<void>;
  private history: PushReport[] = [];
  /** Told of every push before it is made (the template surface keeps each person's last interaction). */
  private readonly listeners: ((input: PushInput) => void)[] = [];

  constructor(
    private readonly core: SimCore,
    options: PusherOptions = {},
  ) {
    this.token = options.token ?? PUSH_DEFAULTS.token;
    this.encodingAesKey = options.encodingAesKey ?? PUSH_DEFAULTS.encodingAesKey;
    this.accountId = options.accountId ?? PUSH_DEFAULTS.accountId;
    this.target = options.target ?? PUSH_DEFAULTS.target;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? PUSH_DEFAULTS.attemptTimeoutMs;
    this.retries = options.retries ?? PUSH_DEFAULTS.retries;
    this.fetchFn = options.fetch ?? keepAliveFetch();
    this.waitForTimeout =
      options.waitForTimeout ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  }

  readonly controls = [
    control("POST", "/__sim/push", (input) => this.push(checkInput(input))),
    control("GET", "/__sim/pushes", () => this.reports()),
    // Where pushes WeChat makes by itself (delivery reports) go, and with which Token and key: the app under test.
    control("POST", "/__sim/push/target", (input) => {
      for (const key of ["target", "token", "encodingAesKey"] as const)
        if (input[key] !== undefined && typeof input[key] !== "string")
          throw new PushInputError(`${key} must be a string`);
      if (typeof input.target !== "string") throw new PushInputError("target is required");
      this.configure(input as { target: string; token?: string; encodingAesKey?: string });
      return { ok: true };
    }),
    control("POST", "/__sim/push/verify-url", (input) =>
      this.verifyUrl(
        typeof input.target === "string" ? input.target : undefined,
        typeof input.token === "string" ? input.token : undefined,
      ),
    ),
  ];

  reset(): void {
    this.history = [];
  }

  /** The account's original id (gh_…): ToUserName of every push, and the sender of WeChat's own (card reviews). */
  get account(): string {
    return this.accountId;
  }

  reports(): PushReport[] {
    return [...this.history];
  }

  setTarget(target: string): void {
    this.target = target;
  }

  /** The endpoint, Token and EncodingAESKey of pushes made without their own (reset keeps them). */
  configure(options: { target: string; token?: string; encodingAesKey?: string }): void {
    this.target = options.target;
    if (options.token) this.token = options.token;
    if (options.encodingAesKey) this.encodingAesKey = options.encodingAesKey;
  }

  /** The GET verification WeChat sends when the URL is saved in the account's backend. */
  async verifyUrl(target = this.target, token = this.token): Promise<{ ok: boolean; status: number; body: string }> {
    const timestamp = String(Math.floor(this.core.now() / 1000));
    const nonce = String(randomBytes(4).readUInt32BE(0));
    const echostr = String(randomBytes(8).readBigUInt64BE(0));
    const url = new URL(target);
    url.search = new URLSearchParams({
      signature: sign([token, timestamp, nonce]),
      echostr,
      timestamp,
      nonce,
    }).toString();
    const res = await this.fetchFn(url.toString());
    const body = await res.text();
    return { ok: res.status === 200 && body === echostr, status: res.status, body };
  }

  onPush(listener: (input: PushInput) => void): void {
    this.listeners.push(listener);
  }

  /** Pushes one event or message; retries while no answer comes within the attempt timeout. */
  async push(input: PushInput): Promise<PushReport> {
    for (const listener of this.listeners) listener(input);
    const mode = input.mode ?? "plaintext";
    const now = Math.floor(this.core.now() / 1000);
    const xml = buildPushXml(input, this.accountId, input.createTime ?? now);
    const retries = input.retries ?? this.retries;
    const attempts: PushAttempt[] = [];
    let signed = this.signRequest(xml, mode, input, now);
    let answer: { status: number; body: string } | null = null;
    for (let n = 1; n <= retries + 1; n++) {
      if (n > 1 && input.retrySignature === "fresh")
        signed = this.signRequest(xml, mode, input, Math.floor(this.core.now() / 1000));
      const started = Date.now();
      const result = await this.attempt(input.target ?? this.target, signed, n);
      attempts.push({
        n,
        status: result.status,
        timedOut: result.timedOut,
        ms: Date.now() - started,
        ...(result.error ? { error: result.error } : {}),
      });
      if (result.status !== null) {
        answer = { status: result.status, body: result.body };
        break;
      }
    }
    const report = this.check(mode, xml, attempts, answer, input);
    this.history.push(report);
    if (this.history.length > 100) this.history.shift();
    return report;
  }

  private signRequest(xml: string, mode: PushMode, input: PushInput, now: number): { query: string; body: string } {
    const timestamp = String(input.tamper === "stale" ? now - 3600 : now);
    const nonce = String(randomBytes(4).readUInt32BE(0));
    const token = input.token ?? this.token;
    const signature = input.tamper === "signature" ? "0".repeat(40) : sign([token, timestamp, nonce]);
    const params = new URLSearchParams({ signature, timestamp, nonce, openid: input.openid });
    if (mode === "plaintext") return { query: params.toString(), body: xml };
    const appId = input.tamper === "appid" ? "wx0000000000000bad" : this.core.appId;
    const encrypt = encryptFor(input.encodingAesKey ?? this.encodingAesKey, appId, xml);
    params.set("encrypt_type", "aes");
    params.set(
      "msg_signature",
      input.tamper === "msg_signature" ? "f".repeat(40) : sign([token, timestamp, nonce, encrypt]),
    );
    const plainPart =
      mode === "compatible"
        ? xml.slice("<xml>".length, -"</xml>".length)
        : `<ToUserName>${cdata(this.accountId)}</ToUserName>`;
    return { query: params.toString(), body: `<xml>${plainPart}<Encrypt>${cdata(encrypt)}</Encrypt></xml>` };
  }

  private async attempt(
    target: string,
    signed: { query: string; body: string },
    n: number,
  ): Promise<{ status: number | null; body: string; timedOut: boolean; error?: string }> {
    const controller = new AbortController();
    const url = `${target}${target.includes("?") ? "&" : "?"}${signed.query}`;
    const request = (async () => {
      const res = await this.fetchFn(url, {
        method: "POST",
        body: signed.body,
        headers: { "content-type": "text/xml", "user-agent": "Mozilla/4.0" },
        signal: controller.signal,
      });
      return { status: res.status, body: await res.text() };
    })();
    const timeout = this.waitForTimeout(this.attemptTimeoutMs, n).then(() => "timeout" as const);
    try {
      const winner = await Promise.race([request, timeout]);
      if (winner === "timeout") {
        controller.abort();
        request.catch(() => undefined);
        return { status: null, body: "", timedOut: true };
      }
      return { ...winner, timedOut: false };
    } catch (err) {
      return { status: null, body: "", timedOut: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private check(
    mode: PushMode,
    pushed: string,
    attempts: PushAttempt[],
    answer: { status: number; body: string } | null,
    input: PushInput,
  ): PushReport {
    const base = { mode, attempts, pushed, raw: answer?.body ?? null };
    if (!answer) return { ...base, ok: false, replyCheck: "no_answer", reply: null };
    if (answer.status !== 200) return { ...base, ok: false, replyCheck: "error_status", reply: null };
    const body = answer.body.trim();
    if (body === "" || body === "success") return { ...base, ok: true, replyCheck: "none", reply: null };
    const fields = readFields(body);
    if (fields.Encrypt === undefined) {
      const ok = fields.MsgType !== undefined && fields.ToUserName !== undefined;
      // WeChat accepts a plaintext reply to an encrypted push in compatible mode only.
      return {
        ...base,
        ok: ok && mode !== "aes",
        replyCheck: ok ? "plain" : "bad_reply",
        reply: ok ? { xml: body, fields } : null,
      };
    }
    const expected = sign([input.token ?? this.token, fields.TimeStamp ?? "", fields.Nonce ?? "", fields.Encrypt]);
    if (expected !== fields.MsgSignature) return { ...base, ok: false, replyCheck: "bad_signature", reply: null };
    try {
      const { xml, appId } = decryptFrom(input.encodingAesKey ?? this.encodingAesKey, fields.Encrypt);
      if (appId !== this.core.appId) return { ...base, ok: false, replyCheck: "bad_appid", reply: null };
      return { ...base, ok: true, replyCheck: "verified", reply: { xml, fields: readFields(xml) } };
    } catch {
      return { ...base, ok: false, replyCheck: "bad_reply", reply: null };
    }
  }
}
