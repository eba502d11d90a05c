// The message store for a database: SQLite on a connection of its own, PostgreSQL on a pool of its own
// (both made by the data layer, beside Prisma's).
import { dialectOf, perDatabase, type Db } from "@/lib/db";
import { openPgPool, openSqlite } from "@/lib/db/connections";
import { PgMessageStore } from "./pg-store";
import { SqliteMessageStore } from "./sqlite-store";
import type { MessageStore } from "./store";

/** Connections of the PostgreSQL store's own pool. */
const POOL_SIZE = 4;

export function openMessageStore(db: Db, databaseUrl: string, appId: string): MessageStore {
  return perDatabase<MessageStore>(dialectOf(db), {
    sqlite: () => new SqliteMessageStore(openSqlite(databaseUrl, { foreignKeys: true }), appId),
    postgresql: () => new PgMessageStore(openPgPool(databaseUrl, { max: POOL_SIZE }), db, appId),
  });
}
