// The e2e databases, seen from outside the app: created fresh for a run, emptied before each test
// (the simulator's users are fixed, so a person left over from an earlier test would change what the
// next one sees: a second silent login of 张三 after a consent login already shows his profile).
import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import pg from "pg";

// Children before parents (foreign keys).
// The token service's rows too: the simulator forgets its tokens on reset, so the app must forget them.
const TABLES = [
  "LoginEvent",
  "Identity",
  "LoginState",
  "UserTag",
  "WeChatEvent",
  "User",
  "Tag",
  "SyncRun",
  "PushNonce",
  "AutoReply",
  "WeChatCredential",
  "CredentialFetch",
  "Lease",
  "RevokedStaffSession",
  "OutboundMessage",
  "MessageTemplate",
  "MessageJob",
  // The simulator forgets its cards and uploaded logos on reset: a logo kept here would name an address
  // it no longer knows (40141).
  "CardClaim",
  "CardCode",
  "CardEvent",
  "Card",
  "CardLogo",
  "PayWebhookAttempt",
  "PayWebhook",
  "PayOrderEvent",
  "PayRefund",
  "PayIncident",
  "PayOrder",
] as const;

export interface TestDatabase {
  /** Deletes every row the app wrote. */
  empty(): Promise<void>;
  countUsers(): Promise<number>;
  close(): Promise<void>;
}

export function isPostgres(url: string): boolean {
  return url.startsWith("postgresql://") || url.startsWith("postgres://");
}

export function sqliteFile(url: string): string {
  return url.replace(/^file:/, "").split("?")[0] ?? "";
}

export async function connectTestDatabase(url: string): Promise<TestDatabase> {
  if (isPostgres(url)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      async empty() {
        await client.query(`TRUNCATE ${TABLES.map((t) => `"${t}"`).join(", ")}`);
      },
      async countUsers() {
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "User"`);
        return Number(rows[0]?.n);
      },
      async close() {
        await client.end();
      },
    };
  }
  const db = new Database(sqliteFile(url));
  db.pragma("busy_timeout = 5000");
  const emptyAll = db.transaction(() => {
    for (const table of TABLES) db.prepare(`DELETE FROM "${table}"`).run();
  });
  return {
    async empty() {
      emptyAll();
    },
    async countUsers() {
      return (db.prepare(`SELECT count(*) AS n FROM "User"`).get() as { n: number }).n;
    },
    async close() {
      db.close();
    },
  };
}

/** Runs `work` on a short-lived connection to the database `url` names: a pg client, or better-sqlite3. */
async function onConnection(
  url: string,
  work: { postgres: (client: pg.Client) => Promise<void>; sqlite: (db: Database.Database) => void },
): Promise<void> {
  if (isPostgres(url)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await work.postgres(client);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(sqliteFile(url));
  try {
    db.pragma("busy_timeout = 5000");
    work.sqlite(db);
  } finally {
    db.close();
  }
}

/** Deletes every row of `tables` in the database `url` names (for a spec's own tables between tests). */
export async function emptyTables(url: string, tables: readonly string[]): Promise<void> {
  await onConnection(url, {
    postgres: async (client) => void (await client.query(`TRUNCATE ${tables.map((t) => `"${t}"`).join(", ")}`)),
    sqlite: (db) =>
      db.transaction(() => {
        for (const table of tables) db.prepare(`DELETE FROM "${table}"`).run();
      })(),
  });
}

/**
 * Records `count` failed staff sign-ins made `agoMs` ago from as many addresses (what a password spray
 * leaves behind), as the app writes them: ids unique, SQLite timestamps as Prisma's ISO text.
 */
export async function recordFailedSignIns(url: string, count: number, agoMs: number): Promise<void> {
  const at = new Date(Date.now() - agoMs);
  const rows = Array.from({ length: count }, (_, i) => [`e2e-spray-${i}`, `victim${i}@e2e.example`, `198.51.100.${i}`]);
  const insert = `INSERT INTO "SignInAttempt" ("id", "email", "ip", "success", "createdAt")`;
  await onConnection(url, {
    postgres: async (client) => {
      for (const row of rows)
        await client.query(`${insert} VALUES ($1, $2, $3, false, $4)`, [...row, at.toISOString()]);
    },
    sqlite: (db) => {
      const statement = db.prepare(`${insert} VALUES (?, ?, ?, 0, ?)`);
      const time = at.toISOString().replace("Z", "+00:00");
      db.transaction(() => {
        for (const row of rows) statement.run(...row, time);
      })();
    },
  });
}

/** Drops and recreates the database `url` names, on the same server. */
export async function recreatePostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  await withAdmin(url, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  });
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  await withAdmin(url, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

async function withAdmin(url: string, run: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const adminUrl = new URL(url);
  adminUrl.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end();
  }
}

/** Removes a SQLite database with its WAL and shared-memory files. */
export function removeSqliteDatabase(url: string): void {
  const file = sqliteFile(url);
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(file + suffix, { force: true });
}
