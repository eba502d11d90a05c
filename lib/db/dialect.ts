// What differs between SQLite and PostgreSQL, in one object: the handful of SQL fragments and value
// encodings that the product's raw statements need. Feature code takes a Dialect (from dialectOf(db) or
// its deps) and never asks which database it runs on. No "server-only": pure functions of text.
import { Prisma } from "@/lib/generated/sqlite/client";
import type { DatabaseKind } from "@/prisma/database-url";
import { sqliteTime } from "./sqlite-busy";

/** A column type of a raw row source (PostgreSQL needs it to type its array parameters). */
export type Cast = "text" | "boolean" | "timestamp(3)" | "integer";

/** A fragment of a raw statement ($queryRawUnsafe / $executeRawUnsafe) and its parameters. */
export interface RawFragment {
  readonly sql: string;
  readonly values: unknown[];
}

export interface Dialect {
  readonly kind: DatabaseKind;
  /** Writing transactions worth running side by side: SQLite has one writer at a time. */
  readonly parallelWriters: number;
  /**
   * LIKE that folds case: ILIKE on PostgreSQL; on SQLite plain LIKE, which folds ASCII letters only (its
   * built-in LIKE does not fold other scripts).
   */
  readonly caseInsensitiveLike: Prisma.Sql;
  /** 'YYYY-MM-DD' of the day a DateTime column falls in at a fixed offset from UTC (no DST). */
  dayAt(column: string, offsetHours: number): Prisma.Sql;
  /** The column for ORDER BY by code point (PostgreSQL's default collation is the locale's). */
  byCodePoint(column: string): Prisma.Sql;
  /**
   * A statement whose one row's `n` is about how many rows `table` (a quoted name) holds, for free:
   * PostgreSQL's planner estimate (autovacuum/ANALYZE); SQLite's largest rowid (a b-tree's last key,
   * O(log n); high by the number of deleted rows). Read `n` with estimateOf.
   */
  rowEstimate(table: string): Prisma.Sql;
  /** The count in rowEstimate's `n`, or null when the database has none yet. */
  estimateOf(n: unknown): number | null;
  /** The placeholder of the `n`th (1-based) parameter of a raw statement. */
  param(n: number): string;
  /** A parameter as the raw statement must bind it (SQLite: Prisma's DateTime text, booleans as 0/1). */
  encode(value: unknown): unknown;
  /**
   * Rows as a row source: `VALUES (?, …), …` on SQLite; on PostgreSQL `unnest($1::text[], …)`, one array
   * parameter per column, so that a thousand rows are a dozen parameters to bind and plan, not thousands.
   */
  rowSource(casts: readonly Cast[], rows: readonly unknown[][]): RawFragment;
  /** `column IN (…)` on SQLite, `column = ANY($n::text[])` on PostgreSQL; `first` is the next parameter number. */
  inList(column: string, values: readonly string[], first?: number): RawFragment;
  /**
   * `UPDATE table SET … FROM (source)`: `names[0]` is the key column, the others are set from the
   * source's columns in that order.
   */
  updateFrom(table: string, names: readonly string[], source: string): string;
  /**
   * A statement written with `:name` parameters (a named query, driver.ts) as this database's driver
   * takes it: `?` in order of appearance on SQLite (a name used twice is bound twice), `$1`, `$2`, … on
   * PostgreSQL (one per name). `names[i]` is the parameter bound at position i.
   */
  compile(text: string): CompiledSql;
  /**
   * Writes (named-query texts) that do not depend on one another, as one statement when the database
   * can run them so: PostgreSQL's data-modifying WITH, one round trip, whose one row's `n0`, `n1`, …
   * count the rows each write changed (the `n`th write's parameters renamed `:w<n>_<name>`; they must
   * touch different rows, and none sees another's changes). Undefined on SQLite, where the writes run
   * one after another (a statement there costs no round trip).
   */
  combineWrites(texts: readonly string[]): string | undefined;
}

/** A named query's text for one database, and the parameter names in the order they are bound. */
export interface CompiledSql {
  readonly sql: string;
  readonly names: readonly string[];
}

// `:name`, but not PostgreSQL's `::type` cast (nor a name glued to a word, as in a time literal).
const NAMED_PARAMETER = /(?<![:\w]):([A-Za-z_]\w*)/g;

const estimate = (n: unknown): number | null => (Number(n) >= 0 ? Number(n) : null);

const SQLITE: Dialect = {
  kind: "sqlite",
  parallelWriters: 1,
  caseInsensitiveLike: Prisma.raw("LIKE"),
  // DateTime is ISO-8601 text ("2026-01-01T16:30:00.000+00:00"), which date() parses with its offset.
  dayAt: (column, offsetHours) => Prisma.raw(`date(${column}, '${offsetHours >= 0 ? "+" : ""}${offsetHours} hours')`),
  byCodePoint: (column) => Prisma.raw(column),
  rowEstimate: (table) => Prisma.sql`SELECT max(rowid) AS n FROM ${Prisma.raw(table)}`,
  // No rowid at all: the table is empty.
  estimateOf: (n) => (n === null || n === undefined ? 0 : estimate(n)),
  param: () => "?",
  encode: (value) => (value instanceof Date ? sqliteTime(value) : typeof value === "boolean" ? (value ? 1 : 0) : value),
  rowSource(casts, rows) {
    const row = `(${casts.map(() => "?").join(", ")})`;
    return { sql: `VALUES ${rows.map(() => row).join(", ")}`, values: rows.flat().map(SQLITE.encode) };
  },
  inList: (column, values) => ({ sql: `${column} IN (${values.map(() => "?").join(", ")})`, values: [...values] }),
  // A VALUES source names its columns column1, column2, …
  updateFrom: (table, names, source) =>
    `UPDATE "${table}" SET ${names
      .slice(1)
      .map((c, i) => `"${c}" = v.column${i + 2}`)
      .join(", ")} FROM (${source}) AS v WHERE "${table}"."${names[0]}" = v.column1`,
  compile(text) {
    const names: string[] = [];
    const sql = text.replace(NAMED_PARAMETER, (_, name: string) => {
      names.push(name);
      return "?";
    });
    return { sql, names };
  },
  combineWrites: () => undefined,
};

const POSTGRES: Dialect = {
  kind: "postgresql",
  parallelWriters: 2,
  caseInsensitiveLike: Prisma.raw("ILIKE"),
  // timestamp(3) holds UTC.
  dayAt: (column, offsetHours) => Prisma.raw(`to_char(${column} + interval '${offsetHours} hours', 'YYYY-MM-DD')`),
  byCodePoint: (column) => Prisma.raw(`${column} COLLATE "C"`),
  rowEstimate: (table) =>
    Prisma.sql`SELECT c."reltuples"::bigint AS n FROM pg_class c WHERE c."oid" = to_regclass(${Prisma.raw(`'${table}'`)})`,
  // -1: never analysed yet.
  estimateOf: (n) => (n === null || n === undefined ? null : estimate(n)),
  param: (n) => `$${n}`,
  // A timestamp without time zone ignores the "Z" of the ISO text.
  encode: (value) => (value instanceof Date ? value.toISOString() : value),
  rowSource: (casts, rows) => ({
    sql: `SELECT * FROM unnest(${casts.map((cast, i) => `$${i + 1}::${cast}[]`).join(", ")})`,
    values: casts.map((_, c) => rows.map((r) => POSTGRES.encode(r[c]))),
  }),
  inList: (column, values, first = 1) => ({ sql: `${column} = ANY($${first}::text[])`, values: [values] }),
  updateFrom: (table, names, source) =>
    `UPDATE "${table}" AS t SET ${names
      .slice(1)
      .map((c) => `"${c}" = v."${c}"`)
      .join(
        ", ",
      )} FROM (${source}) AS v(${names.map((c) => `"${c}"`).join(", ")}) WHERE t."${names[0]}" = v."${names[0]}"`,
  compile(text) {
    const names: string[] = [];
    const sql = text.replace(NAMED_PARAMETER, (_, name: string) => {
      const at = names.indexOf(name);
      return `$${at >= 0 ? at + 1 : names.push(name)}`;
    });
    return { sql, names };
  },
  combineWrites: (texts) =>
    `WITH ${texts.map((text, i) => `w${i} AS (${text.replace(NAMED_PARAMETER, `:w${i}_$1`)} RETURNING 1)`).join(", ")} ` +
    `SELECT ${texts.map((_, i) => `(SELECT count(*) FROM w${i}) AS "n${i}"`).join(", ")}`,
};

const DIALECTS: Record<DatabaseKind, Dialect> = { sqlite: SQLITE, postgresql: POSTGRES };

/** The dialect of a kind of database (prisma/database-url.ts's databaseKind names it from a URL). */
export function dialectFor(kind: DatabaseKind): Dialect {
  return DIALECTS[kind];
}

/**
 * One of two implementations of an interface, by database: for what differs in more than SQL (the
 * message store, the job backend). Only the chosen one is built.
 */
export function perDatabase<T>(dialect: Dialect, build: { readonly [K in DatabaseKind]: () => T }): T {
  return build[dialect.kind]();
}
