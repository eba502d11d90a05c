// Prisma's errors by what they mean to a caller, the same on SQLite and PostgreSQL. No "server-only":
// the token service's workers and the benchmarks use these outside Next.js too.

function prismaCode(err: unknown): unknown {
  return typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** A unique-constraint violation of a Prisma query (P2002). */
export function isUniqueViolation(err: unknown): boolean {
  return prismaCode(err) === "P2002";
}

/** The same from a raw statement: P2010 carrying the driver adapter's UniqueConstraintViolation. */
export function isRawUniqueViolation(err: unknown): boolean {
  const e = err as { meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } } | null;
  return prismaCode(err) === "P2010" && e?.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation";
}

/**
 * A concurrent transaction got there first: it created the unique row we wanted to create (P2002), or
 * it removed a row we had read (P2025, "record not found"), or PostgreSQL chose us as a deadlock victim
 * (P2034). Running the transaction again sees its committed result.
 */
export function isLostRace(err: unknown): boolean {
  const code = prismaCode(err);
  return code === "P2002" || code === "P2025" || code === "P2034";
}
