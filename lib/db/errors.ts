// Prisma's errors and the drivers' by what they mean to a caller, the same on SQLite and PostgreSQL.
// No "server-only": the token service's workers and the benchmarks use these outside Next.js too.

function prismaCode(err: unknown): unknown {
  return typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** A unique-constraint violation of a Prisma query (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return prismaCode(err) === "P2002";
}

/** The cause a driver adapter gave a raw statement's failure (P2010). */
function rawCause(err: unknown): { kind?: unknown; originalCode?: unknown } | undefined {
  if (prismaCode(err) !== "P2010") return undefined;
  return (err as { meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } } }).meta
    ?.driverAdapterError?.cause;
}

/** The same from a raw statement: P2010 carrying the driver adapter's UniqueConstraintViolation. */
export function isRawUniqueViolation(err: unknown): boolean {
  return rawCause(err)?.kind === "UniqueConstraintViolation";
}

/**
 * A row a transaction read, or must change, is not there (any more): a concurrent transaction removed
 * it, e.g. merged the person away. Thrown by driver.ts's expectOne; a lost race, like Prisma's P2025.
 */
export class RowGoneError extends Error {
  override name = "RowGoneError";
  readonly code = "ROW_GONE";
}

/** PostgreSQL's unique violation, serialization failure and deadlock. */
const PG_LOST_RACE = new Set(["23505", "40001", "40P01"]);
/** SQLite's unique and primary-key violations (better-sqlite3's codes). */
const SQLITE_LOST_RACE = new Set(["SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"]);

/**
 * A concurrent transaction got there first: it created the unique row we wanted to create (P2002), or
 * it removed a row we had read (P2025, "record not found"; RowGoneError), or PostgreSQL chose us as a
 * deadlock victim (P2034). The same from a raw statement through Prisma (P2010) or from a driver
 * (driver.ts). Running the transaction again sees its committed result.
 */
export function isLostRace(err: unknown): boolean {
  if (err instanceof RowGoneError) return true;
  const code = prismaCode(err);
  if (code === "P2002" || code === "P2025" || code === "P2034") return true;
  if (typeof code === "string" && (PG_LOST_RACE.has(code) || SQLITE_LOST_RACE.has(code))) return true;
  const cause = rawCause(err);
  return (
    cause !== undefined &&
    (cause.kind === "UniqueConstraintViolation" ||
      cause.kind === "TransactionWriteConflict" ||
      PG_LOST_RACE.has(String(cause.originalCode)))
  );
}
