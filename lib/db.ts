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

export function createDb(url: string): Db {
  if (databaseKind(url) === "sqlite") {
    // WAL lets readers run beside the one writer; busy_timeout makes concurrent writers queue, not fail.
    const adapter = new PrismaBetterSQLite3({ url, timeout: 10_000 });
    return new SqliteClient({ adapter });
  }
  const adapter = new PrismaPg({ connectionString: url, max: 10 });
  return new PostgresClient({ adapter }) as unknown as Db;
}

const globalForDb = globalThis as unknown as { wcucDb?: Db };

/** The process's database (kept across Next.js dev reloads). */
export function db(): Db {
  globalForDb.wcucDb ??= createDb(env().DATABASE_URL);
  return globalForDb.wcucDb;
}

export { isUniqueViolation } from "./db-errors";
