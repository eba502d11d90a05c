// The message specs' helpers: the simulator's pusher over HTTP (/__sim/push) and two direct reads of
// the app's database (whom an openid became; the auto-reply rules, emptied before each test).
import Database from "better-sqlite3";
import pg from "pg";
import { isPostgres, sqliteFile } from "../support/database";
import { E2E_ENCODING_AES_KEY, E2E_MESSAGE_TOKEN, SIM_URL } from "../support/env";

export interface PushReport {
  ok: boolean;
  replyCheck: string;
  attempts: Array<{ n: number; status: number | null; timedOut: boolean }>;
  reply: { xml: string; fields: Record<string, string> } | null;
}

export interface Push {
  type: "subscribe" | "unsubscribe" | "SCAN" | "CLICK" | "VIEW" | "LOCATION" | "text";
  openid: string;
  mode?: "plaintext" | "compatible" | "aes";
  eventKey?: string;
  content?: string;
  msgId?: string;
  createTime?: number;
}

/** WeChat pushing to the app under test, with the Token and EncodingAESKey the e2e apps are configured with. */
export async function push(appOrigin: string, input: Push): Promise<PushReport> {
  const res = await fetch(`${SIM_URL}/__sim/push`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      target: `${appOrigin}/api/wechat/message`,
      token: E2E_MESSAGE_TOKEN,
      encodingAesKey: E2E_ENCODING_AES_KEY,
      ...input,
    }),
  });
  if (!res.ok) throw new Error(`/__sim/push: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as PushReport;
}

async function query<T>(databaseUrl: string, sql: string, params: unknown[]): Promise<T[]> {
  if (isPostgres(databaseUrl)) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const numbered = sql.replace(
        /\?/g,
        (() => {
          let i = 0;
          return () => `$${++i}`;
        })(),
      );
      return (await client.query(numbered, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(sqliteFile(databaseUrl));
  try {
    db.pragma("busy_timeout = 5000");
    const statement = db.prepare(sql);
    if (!statement.reader) {
      statement.run(...params);
      return [];
    }
    return statement.all(...params) as T[];
  } finally {
    db.close();
  }
}

/** The person the app made of `openid` once the push was applied, or null so far. */
export async function userIdOf(databaseUrl: string, openid: string): Promise<string | null> {
  const rows = await query<{ userId: string }>(databaseUrl, `SELECT "userId" FROM "Identity" WHERE "openid" = ?`, [
    openid,
  ]);
  return rows[0]?.userId ?? null;
}

export async function clearAutoReplies(databaseUrl: string): Promise<void> {
  await query(databaseUrl, `DELETE FROM "AutoReply"`, []);
}

/** A fresh openid and CreateTime per test: events of earlier runs stay in the database (their dedupe keys too). */
export function uniqueOpenid(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
