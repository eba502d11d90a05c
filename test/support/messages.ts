// Test helpers: signed (and encrypted) pushes as WeChat sends them, built with lib/wechat's own code.
// The simulator (simulator/push/) has an independent implementation; its tests push to the real route.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { AppError } from "@/lib/errors";
import { applyDeliveries } from "@/lib/templates/delivery";
import { MessageCrypto } from "@/lib/wechat/message-crypto";
import { wechatSignature } from "@/lib/wechat/message-signature";
import { cdata } from "@/lib/wechat/message-xml";
import type { TestDatabase } from "./db";
import type { ApplyQueue } from "@/lib/messages/apply-queue";
import { autoReplyCache } from "@/lib/messages/auto-replies";
import { randomReplyNonce, receivePush, type MessageDeps } from "@/lib/messages/endpoint";
import { openMessageStore } from "@/lib/messages/open-store";
import type { ProcessDeps } from "@/lib/messages/process";
import type { MessageStore } from "@/lib/messages/store";

export const TEST_TOKEN = "testmessagetoken42";
export const TEST_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
export const TEST_APP_ID = "wx5e1f0c0de0000001";
export const TEST_ACCOUNT = "gh_0123456789ab";
export const T0 = Date.UTC(2026, 0, 15, 8, 0, 0);

export class MovableClock {
  ms = T0;
  readonly now = (): Date => new Date(this.ms);
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

const stores = new Map<string, MessageStore>();

/** The message store of a test database: one per database, as a process has one. */
export function testMessageStore(database: TestDatabase): MessageStore {
  let store = stores.get(database.url);
  if (!store) {
    store = openMessageStore(database.db, database.url, TEST_APP_ID);
    stores.set(database.url, store);
  }
  return store;
}

export function testProcessDeps(database: TestDatabase, now: () => Date): ProcessDeps {
  return { store: testMessageStore(database), now };
}

export function testMessageDeps(
  database: TestDatabase,
  clock: MovableClock,
  overrides: Partial<MessageDeps> = {},
): MessageDeps {
  const { db } = database;
  return {
    db,
    store: testMessageStore(database),
    appId: TEST_APP_ID,
    token: TEST_TOKEN,
    crypto: new MessageCrypto(TEST_AES_KEY, TEST_APP_ID),
    now: clock.now,
    replyNonce: randomReplyNonce,
    // The process's cache for this database, which the console's edits clear.
    autoReplies: autoReplyCache(db),
    ...overrides,
  };
}

export interface PushFields {
  openid?: string;
  createTime?: number;
  msgType?: string;
  event?: string;
  eventKey?: string;
  content?: string;
  msgId?: string;
  extra?: string;
}

export function pushXml(f: PushFields = {}): string {
  const parts = [
    `<ToUserName>${cdata(TEST_ACCOUNT)}</ToUserName>`,
    `<FromUserName>${cdata(f.openid ?? "o_test_user_1")}</FromUserName>`,
    `<CreateTime>${f.createTime ?? Math.floor(T0 / 1000)}</CreateTime>`,
    `<MsgType>${cdata(f.msgType ?? (f.event ? "event" : "text"))}</MsgType>`,
  ];
  if (f.event) parts.push(`<Event>${cdata(f.event)}</Event>`);
  if (f.eventKey !== undefined) parts.push(`<EventKey>${cdata(f.eventKey)}</EventKey>`);
  if (f.content !== undefined) parts.push(`<Content>${cdata(f.content)}</Content>`);
  if (f.msgId) parts.push(`<MsgId>${f.msgId}</MsgId>`);
  return `<xml>${parts.join("")}${f.extra ?? ""}</xml>`;
}

export type Mode = "plaintext" | "compatible" | "aes";

export interface SignedPush {
  readonly params: URLSearchParams;
  readonly body: string;
  readonly query: string;
}

/** A push as WeChat sends it in `mode`, signed with `token` at `timestamp` (seconds). */
export function signPush(
  xml: string,
  options: { mode?: Mode; timestamp?: number; nonce?: string; token?: string; appId?: string; aesKey?: string } = {},
): SignedPush {
  const mode = options.mode ?? "plaintext";
  const token = options.token ?? TEST_TOKEN;
  const timestamp = String(options.timestamp ?? Math.floor(T0 / 1000));
  const nonce = options.nonce ?? String(Math.floor(Math.random() * 1e9));
  const params = new URLSearchParams({
    signature: wechatSignature([token, timestamp, nonce]),
    timestamp,
    nonce,
    openid: "o_test_user_1",
  });
  if (mode === "plaintext") return { params, body: xml, query: params.toString() };
  const crypto = new MessageCrypto(options.aesKey ?? TEST_AES_KEY, options.appId ?? TEST_APP_ID);
  const encrypt = crypto.encrypt(xml);
  params.set("encrypt_type", "aes");
  params.set("msg_signature", wechatSignature([token, timestamp, nonce, encrypt]));
  const inner =
    mode === "compatible" ? xml.replace(/^<xml>|<\/xml>$/g, "") : `<ToUserName>${cdata(TEST_ACCOUNT)}</ToUserName>`;
  return { params, body: `<xml>${inner}<Encrypt>${cdata(encrypt)}</Encrypt></xml>`, query: params.toString() };
}

/** A signed GET verification query. */
export function signVerification(
  options: { timestamp?: number; nonce?: string; echostr?: string; token?: string } = {},
) {
  const timestamp = String(options.timestamp ?? Math.floor(T0 / 1000));
  const nonce = options.nonce ?? String(Math.floor(Math.random() * 1e9));
  const token = options.token ?? TEST_TOKEN;
  return new URLSearchParams({
    signature: wechatSignature([token, timestamp, nonce]),
    timestamp,
    nonce,
    echostr: options.echostr ?? "4075181314397890557",
  });
}

/**
 * The message endpoint on a port of its own (receivePush behind node:http), for the simulator to push to
 * in an integration test (delivery reports, scans) or a bench, without Next.js. By default a delivery
 * report is applied before the answer (a test then reads a settled state); `afterAnswer` answers first
 * and leaves the events to the route's own step after the answer (lib/messages/apply-queue.ts), as the
 * app runs.
 */
export async function serveMessageEndpoint(
  deps: MessageDeps,
  options: { afterAnswer?: ApplyQueue; onError?: (error: unknown) => void } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const { afterAnswer, onError } = options;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const params = new URL(req.url ?? "/", "http://endpoint.test").searchParams;
      receivePush(deps, params, Buffer.concat(chunks).toString("utf8")).then(
        async (outcome) => {
          if (!afterAnswer && outcome.delivery) await applyDeliveries(deps.db, deps.appId, [outcome.delivery]);
          res.writeHead(200, { "content-type": outcome.contentType });
          res.end(outcome.body);
          if (afterAnswer && outcome.recorded) void afterAnswer.enqueue(outcome.eventId, outcome.delivery);
        },
        (error: unknown) => {
          onError?.(error);
          res.writeHead(error instanceof AppError ? error.status : 500);
          res.end();
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/wechat/message`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
