import "server-only";
// The running app's message endpoint, built once from env. Without WECHAT_TOKEN the endpoint is off
// (404); without WECHAT_ENCODING_AES_KEY only plaintext pushes are accepted (safe mode: 503). Both
// are said once in the log, not on every request.
import { after } from "next/server";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { databaseKind } from "@/prisma/database-url";
import { AppError, errorResponse } from "@/lib/errors";
import { log } from "@/lib/log";
import { MessageCrypto } from "@/lib/wechat/message-crypto";
import { autoReplyCache } from "./auto-replies";
import { NonceSweeper, randomReplyNonce, type MessageDeps } from "./endpoint";
import { processEvent, resumePendingEvents, type EventFacts, type ProcessDeps } from "./process";

let deps: MessageDeps | null | undefined;
const RETRY_EVERY_MS = 60_000;
let lastRetry = Date.now();
let sweeper: NonceSweeper | undefined;

/**
 * A bounded number of events are applied at a time per process: under a burst, more concurrent
 * transactions would only queue for the database's writer (SQLite has one) and take CPU from answering
 * the next pushes. PostgreSQL spends most of an event waiting on round trips, so it gets a few at once.
 */
let running = 0;
const waiting: Array<() => void> = [];
async function limited<T>(limit: number, task: () => Promise<T>): Promise<T> {
  // A finishing task hands its slot straight to the next waiter, so `running` never exceeds `limit`.
  if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await task();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export function messageDeps(): MessageDeps | null {
  if (deps !== undefined) return deps;
  const e = env();
  if (!e.WECHAT_TOKEN) {
    log.warn("message_endpoint_disabled", { reason: "WECHAT_TOKEN is not set: /api/wechat/message answers 404" });
    deps = null;
    return deps;
  }
  if (!e.WECHAT_ENCODING_AES_KEY) {
    log.warn("message_endpoint_plaintext_only", {
      reason: "WECHAT_ENCODING_AES_KEY is not set: safe-mode (encrypt_type=aes) pushes answer 503",
    });
  }
  deps = {
    db: db(),
    dialect: databaseKind(e.DATABASE_URL),
    appId: e.WECHAT_APP_ID,
    token: e.WECHAT_TOKEN,
    crypto: e.WECHAT_ENCODING_AES_KEY ? new MessageCrypto(e.WECHAT_ENCODING_AES_KEY, e.WECHAT_APP_ID) : null,
    now: () => new Date(),
    replyNonce: randomReplyNonce,
    autoReplies: autoReplyCache(db()),
  };
  return deps;
}

/** The endpoint's deps, or the 404 that says it is not configured. */
export function requireMessageDeps(): MessageDeps {
  const current = messageDeps();
  if (!current) throw new AppError("push_disabled");
  return current;
}

function processDeps(d: MessageDeps): ProcessDeps {
  return { db: d.db, dialect: d.dialect, appId: d.appId, now: d.now };
}

/** Applies a recorded event after the answer has gone (Next's after()), and sweeps expired nonces. */
export function processAfterAnswer(d: MessageDeps, eventId: string, facts: EventFacts): void {
  after(async () => {
    const limit = d.dialect === "sqlite" ? 1 : 4;
    const { result, error } = await limited(limit, () => processEvent(processDeps(d), eventId, facts));
    if (result === "retry" || result === "failed") {
      log.error("message_event_failed", {
        eventId,
        result,
        cause: error instanceof Error ? error.message : String(error),
      });
    }
    sweeper ??= new NonceSweeper(d.db);
    const now = d.now();
    await sweeper.maybeSweep(now).catch(() => 0);
    if (now.getTime() - lastRetry >= RETRY_EVERY_MS) {
      // Events that failed a first time (a deadlock, the database briefly away) are tried again here,
      // once a minute per process, not only at the next start-up.
      lastRetry = now.getTime();
      const receivedBefore = new Date(now.getTime() - RETRY_EVERY_MS / 2);
      await resumePendingEvents(processDeps(d), 100, { receivedBefore }).catch(() => 0);
    }
  });
}

/** Start-up: apply the events a previous process recorded but did not get to apply. */
export async function resumeMessageEvents(): Promise<void> {
  const d = messageDeps();
  if (!d) return;
  const applied = await resumePendingEvents(processDeps(d));
  if (applied > 0) log.info("message_events_resumed", { applied });
}

/** The endpoint's error answer: JSON with a code, never the echostr; the reason goes to the log only. */
export function pushErrorResponse(err: unknown): Response {
  const reason = err instanceof AppError && err.message !== err.code ? err.message : undefined;
  return errorResponse(err, { route: "/api/wechat/message", reason });
}
