// Writing transactions on the driver, with named queries. Prisma costs about 0.3-0.5 ms of CPU a
// statement (its client runtime and its query compiler, and on SQLite a statement prepared anew every
// time); a login's transaction is half a dozen of them, most of the login's CPU. Here a statement is
// prepared once per connection (better-sqlite3) or per pooled connection (node-postgres, by name)
// and costs tens of microseconds.
//
// A named query is SQL written once for both databases with `:name` parameters (people.ts has the
// login's); dialect.compile() makes it the driver's text, dialect.encode() binds its values. A
// transaction's work is a function of an SqlTx, which runs the same on:
// - SQLite: a better-sqlite3 connection of the data layer's own (busy_timeout 0, foreign keys on). The
//   transaction is BEGIN IMMEDIATE, so it takes the write lock first (a busy database is retried
//   asynchronously before it starts, never waited for on the event loop) and no other writer can come
//   between its read and its write. Its statements are synchronous, so it never waits for I/O, but it
//   does span awaits: transactions and statements take turns on the connection.
// - PostgreSQL: a connection of a node-postgres pool of the data layer's own, BEGIN … COMMIT (read
//   committed, as Prisma's). Statements prepared by name on each pooled connection.
// - Prisma (sqlTxOf): inside one of Prisma's interactive transactions, for code that mixes the two.
// A lost race (a unique row a concurrent transaction created first, a row it removed: RowGoneError,
// a deadlock) runs the whole transaction again (isLostRace).
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import type pg from "pg";
import { databaseUrlOf, dialectOf, type Db } from "./client";
import { openPgPool, openSqlite } from "./connections";
import { dialectFor, perDatabase, type CompiledSql, type Dialect } from "./dialect";
import { isLostRace, RowGoneError } from "./errors";
import { retryWhileBusy } from "./sqlite-busy";

export type QueryParams = Readonly<Record<string, unknown>>;

/**
 * A statement with a name and `:name` parameters. `Row` is one row as the drivers read it (a DateTime
 * is a Date on PostgreSQL, ISO text on SQLite: see SqlTime), `P` its parameters (null for NULL).
 */
export interface NamedQuery<Row = never, P extends QueryParams = QueryParams> {
  readonly name: string;
  readonly text: string;
  /** Types only: never set. */
  readonly types?: { readonly row: Row; readonly params: P };
}

/** A DateTime column as a driver reads it: a Date (PostgreSQL) or Prisma's ISO text (SQLite). */
export type SqlTime = Date | string;

/** A DateTime column read by a driver, as a Date. */
export function sqlTime(value: SqlTime): Date;
export function sqlTime(value: SqlTime | null): Date | null;
export function sqlTime(value: SqlTime | null): Date | null {
  return value === null ? null : value instanceof Date ? value : new Date(value);
}

const names = new Map<string, string>();

/** Declares a named query; a name stands for one text (PostgreSQL prepares it under that name). */
export function namedQuery<Row = never, P extends QueryParams = QueryParams>(
  name: string,
  text: string,
): NamedQuery<Row, P> {
  // PostgreSQL cuts a prepared statement's name at 63 bytes: two names alike that far would collide.
  if (Buffer.byteLength(name) > 63) throw new Error(`named query ${name}: a name has at most 63 bytes`);
  const known = names.get(name);
  if (known !== undefined && known !== text) throw new Error(`named query ${name} declared twice with other text`);
  names.set(name, text);
  return { name, text };
}

/** The statements of one transaction (or of Prisma's, through sqlTxOf). */
export interface SqlTx {
  readonly dialect: Dialect;
  /** The rows of a SELECT (or of a statement with RETURNING). */
  rows<Row, P extends QueryParams>(query: NamedQuery<Row, P>, params: P): Promise<Row[]>;
  /** Runs an INSERT, UPDATE or DELETE; the number of rows it changed. */
  run<P extends QueryParams>(query: NamedQuery<unknown, P>, params: P): Promise<number>;
}

/** One write of a batch (runWrites): a named query and its parameters. */
export interface Write {
  readonly query: NamedQuery<unknown>;
  readonly params: QueryParams;
}

/** A write for runWrites, its parameters checked against its query's. */
export function write<P extends QueryParams>(query: NamedQuery<unknown, P>, params: P): Write {
  return { query: query as NamedQuery<unknown>, params };
}

const combined = new Map<string, NamedQuery<Record<string, number | bigint | string>>>();

/**
 * Writes that do not depend on one another (different rows; none reads what another writes), in
 * order; the number of rows each changed. On PostgreSQL one statement, one round trip
 * (dialect.combineWrites); on SQLite one statement after another.
 */
export async function runWrites(tx: SqlTx, writes: readonly Write[]): Promise<number[]> {
  const text = writes.length > 1 ? tx.dialect.combineWrites(writes.map((w) => w.query.text)) : undefined;
  if (text === undefined) {
    const counts: number[] = [];
    for (const w of writes) counts.push(await tx.run(w.query, w.params));
    return counts;
  }
  const key = writes.map((w) => w.query.name).join(",");
  let query = combined.get(key);
  if (!query) {
    // Named by a digest of its writes' names: short enough for PostgreSQL, the same in every bundle.
    query = namedQuery(`writes.${createHash("sha256").update(key).digest("base64url").slice(0, 24)}`, text);
    combined.set(key, query);
  }
  const params = Object.fromEntries(
    writes.flatMap((w, i) => Object.entries(w.params).map(([key, value]) => [`w${i}_${key}`, value])),
  );
  const [row] = await tx.rows(query, params);
  return writes.map((_, i) => Number(row?.[`n${i}`] ?? 0));
}

/** Exactly one row changed, or a concurrent transaction removed it: RowGoneError (a lost race). */
export function expectOne(changed: number, what: string): void {
  if (changed !== 1) throw new RowGoneError(what);
}

const compiled = new Map<string, CompiledSql>();

function compile(dialect: Dialect, query: NamedQuery<unknown>): CompiledSql {
  const key = `${dialect.kind}:${query.name}`;
  let c = compiled.get(key);
  if (!c) {
    c = dialect.compile(query.text);
    compiled.set(key, c);
  }
  return c;
}

function bind(dialect: Dialect, c: CompiledSql, query: NamedQuery<unknown>, params: QueryParams): unknown[] {
  return c.names.map((name) => {
    const value = params[name];
    if (value === undefined) throw new Error(`named query ${query.name}: no value for :${name} (null for NULL)`);
    return dialect.encode(value);
  });
}

interface Driver {
  transaction<T>(run: (tx: SqlTx) => Promise<T>): Promise<T>;
  statement(query: NamedQuery<unknown>, params: QueryParams): Promise<number>;
  returning<Row>(query: NamedQuery<Row>, params: QueryParams): Promise<Row[]>;
}

const SQLITE = dialectFor("sqlite");
const POSTGRES = dialectFor("postgresql");

class SqliteDriver implements Driver {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  /** The turn of the last transaction or statement queued on the connection. */
  #turn: Promise<unknown> = Promise.resolve();
  readonly #tx: SqlTx;

  constructor(url: string) {
    this.#db = openSqlite(url, { fileMustExist: true, foreignKeys: true });
    this.#begin = this.#db.prepare("BEGIN IMMEDIATE");
    this.#commit = this.#db.prepare("COMMIT");
    this.#rollback = this.#db.prepare("ROLLBACK");
    this.#tx = {
      dialect: SQLITE,
      rows: async <Row, P extends QueryParams>(query: NamedQuery<Row, P>, params: P) =>
        this.#prepare(query).all(...bind(SQLITE, compile(SQLITE, query), query, params)) as Row[],
      run: async (query, params) =>
        this.#prepare(query).run(...bind(SQLITE, compile(SQLITE, query), query, params)).changes,
    };
  }

  #prepare(query: NamedQuery<unknown>): Database.Statement {
    let statement = this.#statements.get(query.name);
    if (!statement) {
      statement = this.#db.prepare(compile(SQLITE, query).sql);
      this.#statements.set(query.name, statement);
    }
    return statement;
  }

  /** One at a time on the connection: a statement run while a transaction is open would join it. */
  #inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#turn.then(work);
    this.#turn = result.catch(() => undefined);
    return result;
  }

  transaction<T>(run: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.#inTurn(async () => {
      await retryWhileBusy(() => this.#begin.run());
      try {
        const result = await run(this.#tx);
        this.#commit.run();
        return result;
      } catch (err) {
        if (this.#db.inTransaction) this.#rollback.run();
        throw err;
      }
    });
  }

  async statement(query: NamedQuery<unknown>, params: QueryParams): Promise<number> {
    const statement = this.#prepare(query);
    const values = bind(SQLITE, compile(SQLITE, query), query, params);
    return this.#inTurn(() => retryWhileBusy(() => statement.run(...values).changes));
  }

  async returning<Row>(query: NamedQuery<Row>, params: QueryParams): Promise<Row[]> {
    const statement = this.#prepare(query);
    const values = bind(SQLITE, compile(SQLITE, query), query, params);
    return this.#inTurn(() => retryWhileBusy(() => statement.all(...values) as Row[]));
  }
}

class PgDriver implements Driver {
  readonly #pool: pg.Pool;

  constructor(url: string) {
    this.#pool = openPgPool(url, { max: 8, utcTimestamps: true });
  }

  static #query(on: pg.Pool | pg.PoolClient, query: NamedQuery<unknown>, params: QueryParams) {
    const c = compile(POSTGRES, query);
    return on.query({ name: query.name, text: c.sql, values: bind(POSTGRES, c, query, params) });
  }

  async transaction<T>(run: (tx: SqlTx) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await run({
        dialect: POSTGRES,
        rows: async <Row, P extends QueryParams>(query: NamedQuery<Row, P>, params: P) =>
          (await PgDriver.#query(client, query, params)).rows as Row[],
        run: async (query, params) => (await PgDriver.#query(client, query, params)).rowCount ?? 0,
      });
      await client.query("COMMIT");
      return result;
    } catch (err) {
      // A connection that cannot even roll back is dropped from the pool, not handed to the next caller.
      await client.query("ROLLBACK").catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async statement(query: NamedQuery<unknown>, params: QueryParams): Promise<number> {
    return (await PgDriver.#query(this.#pool, query, params)).rowCount ?? 0;
  }

  async returning<Row>(query: NamedQuery<Row>, params: QueryParams): Promise<Row[]> {
    return (await PgDriver.#query(this.#pool, query, params)).rows as Row[];
  }
}

// One driver per client per process, even if Next.js bundles this module more than once.
const drivers: WeakMap<Db, Driver> = ((globalThis as { wcucSqlDrivers?: WeakMap<Db, Driver> }).wcucSqlDrivers ??=
  new WeakMap());

function driverFor(db: Db): Driver {
  let driver = drivers.get(db);
  if (!driver) {
    const url = databaseUrlOf(db);
    if (url === undefined) throw new Error("driver transactions need a client made by createDb()");
    driver = perDatabase<Driver>(dialectOf(db), {
      sqlite: () => new SqliteDriver(url),
      postgresql: () => new PgDriver(url),
    });
    drivers.set(db, driver);
  }
  return driver;
}

/**
 * Runs `run` in a transaction on the driver; again (up to `attempts` times in all) when a concurrent
 * transaction won a race (isLostRace), so `run` must be safe to repeat: it reads what it decides on.
 */
export async function driverTransaction<T>(db: Db, run: (tx: SqlTx) => Promise<T>, attempts = 4): Promise<T> {
  const driver = driverFor(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await driver.transaction(run);
    } catch (err) {
      if (!isLostRace(err) || attempt >= attempts) throw err;
    }
  }
}

/** One writing statement on its own (autocommit) on the driver; the number of rows it changed. */
export function driverStatement<P extends QueryParams>(
  db: Db,
  query: NamedQuery<unknown, P>,
  params: P,
): Promise<number> {
  return driverFor(db).statement(query, params);
}

/** One writing statement with RETURNING on its own (autocommit) on the driver; the rows it returned. */
export function driverReturning<Row, P extends QueryParams>(
  db: Db,
  query: NamedQuery<Row, P>,
  params: P,
): Promise<Row[]> {
  return driverFor(db).returning(query as NamedQuery<Row>, params);
}

/** What sqlTxOf needs of a Prisma client or interactive transaction. */
export interface RawClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/**
 * Named queries inside one of Prisma's interactive transactions, for work that mixes them with
 * Prisma's own statements (the follower sync, the QR login). Prisma's raw statements read rows as the
 * drivers do (SqlTime); its unique violations are raw ones (isRawUniqueViolation), lost races too.
 */
export function sqlTxOf(client: RawClient, dialect: Dialect): SqlTx {
  return {
    dialect,
    rows: <Row, P extends QueryParams>(query: NamedQuery<Row, P>, params: P) => {
      const c = compile(dialect, query);
      return client.$queryRawUnsafe<Row[]>(c.sql, ...bind(dialect, c, query, params));
    },
    run: (query, params) => {
      const c = compile(dialect, query);
      return client.$executeRawUnsafe(c.sql, ...bind(dialect, c, query, params));
    },
  };
}
