// Hot read statements straight on the driver. Prisma costs about 0.3-0.5 ms of CPU per raw statement
// (its client runtime, its query compiler, and on SQLite a statement prepared anew every time), which on
// a list request is a third of the server's work. Every request of the console reads the Staff row and
// the list reads a page: those run here, on a connection (SQLite) or a small pool (PostgreSQL) of the
// process's own, with prepared statements kept. Queries stay Prisma.sql templates (so they are built,
// escaped and tested the same way) and come back shaped as $queryRaw's: on SQLite, booleans as 0/1 and
// DateTime as Prisma's ISO text; on PostgreSQL, timestamps as Dates (UTC) and bigint as text.
import type Database from "better-sqlite3";
import type pg from "pg";
import { databaseUrlOf, dialectOf, type Db, type Prisma } from "./client";
import { openPgPool, openSqlite } from "./connections";
import { perDatabase, type Dialect } from "./dialect";
import { retryWhileBusy, sqliteTime } from "./sqlite-busy";

interface Reader {
  all<T>(query: Prisma.Sql): Promise<T[]>;
}

/** Statements kept per connection; the list's WHERE combinations are a few dozen texts at most. */
const MAX_STATEMENTS = 256;

class SqliteReader implements Reader {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  constructor(url: string) {
    this.#db = openSqlite(url, { fileMustExist: true });
  }
  all<T>(query: Prisma.Sql): Promise<T[]> {
    let statement = this.#statements.get(query.sql);
    if (!statement) {
      if (this.#statements.size >= MAX_STATEMENTS) this.#statements.clear();
      statement = this.#db.prepare(query.sql);
      this.#statements.set(query.sql, statement);
    }
    const values = query.values.map((v) =>
      v instanceof Date ? sqliteTime(v) : typeof v === "boolean" ? Number(v) : v,
    );
    const prepared = statement;
    return retryWhileBusy(() => prepared.all(...values) as T[]);
  }
}

class PostgresReader implements Reader {
  readonly #pool: pg.Pool;
  constructor(url: string) {
    this.#pool = openPgPool(url, { max: 4, utcTimestamps: true });
  }
  async all<T>(query: Prisma.Sql): Promise<T[]> {
    // A Date goes as UTC ISO text: a timestamp without time zone ignores the "Z".
    const values = query.values.map((v) => (v instanceof Date ? v.toISOString() : v));
    const { rows } = await this.#pool.query({ text: query.text, values });
    return rows as T[];
  }
}

// One reader per client per process, even if Next.js bundles this module more than once.
const readers: WeakMap<Db, Reader | null> = ((
  globalThis as { wcucSqlReaders?: WeakMap<Db, Reader | null> }
).wcucSqlReaders ??= new WeakMap());

function readerFor(db: Db): Reader | null {
  let reader = readers.get(db);
  if (reader === undefined) {
    const url = databaseUrlOf(db);
    reader =
      url === undefined
        ? null
        : perDatabase<Reader>(dialectOf(db), {
            sqlite: () => new SqliteReader(url),
            postgresql: () => new PostgresReader(url),
          });
    readers.set(db, reader);
  }
  return reader;
}

/**
 * The rows of a read-only statement, on the driver when `db` was made by createDb; a client made some other
 * way (a test's wrapper counting statements) goes through Prisma.
 */
export function readRows<T>(db: Db, query: Prisma.Sql): Promise<T[]> {
  const reader = readerFor(db);
  return reader ? reader.all<T>(query) : db.$queryRaw<T[]>(query);
}

/**
 * A writing statement built as a Prisma.Sql (so it is composed and escaped like the reads), run through
 * Prisma or a transaction's client, with Dates and booleans bound as each database stores them.
 */
export function executeSql(
  client: { $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> },
  dialect: Dialect,
  query: Prisma.Sql,
): Promise<number> {
  return client.$executeRawUnsafe(
    dialect.kind === "sqlite" ? query.sql : query.text,
    ...query.values.map((v) => dialect.encode(v)),
  );
}
