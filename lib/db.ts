import "server-only";
// One Prisma client per process, on SQLite or PostgreSQL as DATABASE_URL says. Both generated clients
// have the same API; the SQLite one's type stands for both.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "@/lib/generated/sqlite/client";
import { PrismaClient as PostgresClient } from "@/lib/generated/postgres/client";
import { databaseKind } from "@/prisma/database-url";
import { env } from "@/lib/env";

export type Db = SqliteClient;
export type { Prisma } from "@/lib/generated/sqlite/client";

// Kept on globalThis: Next.js may bundle this module more than once in one process (each instance would
// otherwise have its own map, and not know the client db() made in another).
const urls: WeakMap<Db, string> = ((globalThis as { wcucDbUrls?: WeakMap<Db, string> }).wcucDbUrls ??= new WeakMap());

export function createDb(url: string): Db {
  const client =
    databaseKind(url) === "sqlite"
      ? // WAL lets readers run beside the one writer; busy_timeout makes concurrent writers queue, not fail.
        new SqliteClient({ adapter: new PrismaBetterSQLite3({ url, timeout: 10_000 }) })
      : (new PostgresClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) }) as unknown as Db);
  urls.set(client, url);
  return client;
}

/** The URL a client of createDb() was made for (lib/sql-reader.ts opens its own connection to it). */
export function databaseUrlOf(db: Db): string | undefined {
  return urls.get(db);
}

const globalForDb = globalThis as unknown as { wcucDb?: Db };

/** The process's database (kept across Next.js dev reloads). */
export function db(): Db {
  globalForDb.wcucDb ??= createDb(env().DATABASE_URL);
  return globalForDb.wcucDb;
}

export { isUniqueViolation } from "./db-errors";
