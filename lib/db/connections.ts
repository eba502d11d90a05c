// The driver connections the data layer keeps beside Prisma's: a better-sqlite3 connection or a
// node-postgres pool of the process's own, for the hot reads (reader.ts) and the message store (group
// commit, lib/messages/). Every one is made here, with the settings the measured fast paths rely on.
import Database from "better-sqlite3";
import pg from "pg";
import { sqlitePath } from "@/prisma/database-url";

/**
 * A better-sqlite3 connection to a SQLite URL, with busy_timeout 0: a busy database is retried
 * asynchronously (sqlite-busy.ts), never waited for on the event loop.
 */
export function openSqlite(url: string, options: { fileMustExist?: boolean; foreignKeys?: boolean } = {}) {
  const connection = new Database(sqlitePath(url), { fileMustExist: options.fileMustExist ?? false });
  connection.pragma("busy_timeout = 0");
  if (options.foreignKeys) connection.pragma("foreign_keys = ON");
  return connection;
}

// timestamp(3) without time zone holds UTC (as Prisma writes it): read it as UTC, whatever the process's zone.
const TIMESTAMP_OID = 1114;
const parseUtcTimestamp = (text: string) => new Date(`${text.replace(" ", "T")}Z`);
const utcTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID && format !== "binary"
      ? parseUtcTimestamp
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

/**
 * A small node-postgres pool. `utcTimestamps`: read timestamps as the UTC they hold (without it,
 * node-postgres reads them as local time; a pool that reads no timestamp back needs none).
 */
export function openPgPool(url: string, options: { max: number; utcTimestamps?: boolean }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    idleTimeoutMillis: 30_000,
    ...(options.utcTimestamps ? { types: utcTypes } : {}),
  });
  // An idle connection dropped by the server (a restart, a failover) must not crash the process.
  pool.on("error", () => undefined);
  return pool;
}
