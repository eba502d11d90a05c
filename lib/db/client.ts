import "server-only";
// One Prisma client per process, on SQLite or PostgreSQL as DATABASE_URL says. Both generated clients
// have the same API; the SQLite one's type stands for both.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "@/lib/generated/sqlite/client";
import { PrismaClient as PostgresClient } from "@/lib/generated/postgres/client";
import { databaseKind, type DatabaseKind } from "@/prisma/database-url";
import { env } from "@/lib/env";
import { dialectFor, type Dialect } from "./dialect";

export type Db = SqliteClient;
export type { Prisma } from "@/lib/generated/sqlite/client";

interface Made {
  readonly url: string;
  readonly dialect: Dialect;
}

// Kept on globalThis: Next.js may bundle this module more than once in one process (each instance would
// otherwise have its own map, and not know the client db() made in another).
const made: WeakMap<Db, Made> = ((globalThis as { wcucDbClients?: WeakMap<Db, Made> }).wcucDbClients ??= new WeakMap());

export function createDb(url: string): Db {
  const kind = databaseKind(url);
  const client =
    kind === "sqlite"
      ? // WAL lets readers run beside the one writer; busy_timeout makes concurrent writers queue, not fail.
        new SqliteClient({ adapter: new PrismaBetterSQLite3({ url, timeout: 10_000 }) })
      : (new PostgresClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) }) as unknown as Db);
  made.set(client, { url, dialect: dialectFor(kind) });
  return client;
}

/** The URL a client of createDb() was made for (the reader and the stores open their own connections to it). */
export function databaseUrlOf(db: Db): string | undefined {
  return made.get(db)?.url;
}

/**
 * The dialect of a client: known for those of createDb(); any other (a test's wrapper around one) by
 * the provider its generated client was made for.
 */
export function dialectOf(db: Db): Dialect {
  return made.get(db)?.dialect ?? dialectFor((db as unknown as { _activeProvider: DatabaseKind })._activeProvider);
}

const globalForDb = globalThis as unknown as { wcucDb?: Db };

/** The process's database (kept across Next.js dev reloads). */
export function db(): Db {
  globalForDb.wcucDb ??= createDb(env().DATABASE_URL);
  return globalForDb.wcucDb;
}
