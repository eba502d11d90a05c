// The message store for a database URL: SQLite on a connection of its own, PostgreSQL on a pool of its own.
import type { Db } from "@/lib/db";
import { databaseKind, sqlitePath } from "@/prisma/database-url";
import { PgMessageStore } from "./pg-store";
import { SqliteMessageStore } from "./sqlite-store";
import type { MessageStore } from "./store";

export function openMessageStore(db: Db, databaseUrl: string, appId: string): MessageStore {
  return databaseKind(databaseUrl) === "sqlite"
    ? new SqliteMessageStore(sqlitePath(databaseUrl), appId)
    : new PgMessageStore(databaseUrl, db, appId);
}
