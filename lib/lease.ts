// A named lease in the database (model Lease), the same on SQLite and PostgreSQL: while leaseUntil is
// in the future only its holder may do the named work, across processes and instances (the token
// service's leader and its fetches, the blacklist sync, and the locks of jobs in lib/jobs such as the
// follower sync). Taken with a conditional write, so two contenders can never both win; a crashed
// holder's lease simply runs out. `fencing` grows with every acquisition: a renewal or a release names
// the fencing it holds, so a holder that stalled past its lease and was replaced learns it at its next
// renewal instead of writing on. A held lease is refused to everyone, its own holder too (one run at a
// time, even within one process). The clock is the caller's (injected), so tests can move it.
import type { Db } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db/errors";

export interface HeldLease {
  readonly name: string;
  readonly holder: string;
  readonly fencing: number;
  readonly leaseUntil: Date;
}

/**
 * Takes the lease if it is free or expired. With `renew`, a holder that still holds it extends it
 * (a leader's heartbeat); without, a held lease is refused even to its holder (one fetch at a time).
 * Returns null when someone else holds it.
 */
export async function acquireLease(
  db: Db,
  args: { name: string; holder: string; ttlMs: number; now: Date; renew?: boolean },
): Promise<HeldLease | null> {
  const { name, holder, now } = args;
  const leaseUntil = new Date(now.getTime() + args.ttlMs);
  if (args.renew) {
    const renewed = await db.lease.updateMany({
      where: { name, holder, leaseUntil: { gt: now } },
      data: { leaseUntil },
    });
    if (renewed.count === 1) return held(db, name, holder);
  }
  const taken = await db.lease.updateMany({
    where: { name, leaseUntil: { lte: now } },
    data: { holder, leaseUntil, acquiredAt: now, fencing: { increment: 1 } },
  });
  if (taken.count === 1) return held(db, name, holder);
  const existing = await db.lease.findUnique({ where: { name }, select: { name: true } });
  if (existing) return null;
  try {
    const row = await db.lease.create({ data: { name, holder, leaseUntil, acquiredAt: now, fencing: 1 } });
    return { name, holder, fencing: row.fencing, leaseUntil: row.leaseUntil };
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

async function held(db: Db, name: string, holder: string): Promise<HeldLease | null> {
  const row = await db.lease.findUnique({ where: { name } });
  return row && row.holder === holder ? { name, holder, fencing: row.fencing, leaseUntil: row.leaseUntil } : null;
}

/** Extends a lease still held; false when it was lost (expired and taken by someone else). */
export async function renewLease(db: Db, lease: HeldLease, now: Date, ttlMs: number): Promise<boolean> {
  const renewed = await db.lease.updateMany({
    where: { name: lease.name, holder: lease.holder, fencing: lease.fencing },
    data: { leaseUntil: new Date(now.getTime() + ttlMs) },
  });
  return renewed.count === 1;
}

/** Gives the lease back (only if this acquisition still holds it), so the next taker need not wait. */
export async function releaseLease(db: Db, lease: HeldLease, now: Date): Promise<void> {
  await db.lease.updateMany({
    where: { name: lease.name, holder: lease.holder, fencing: lease.fencing },
    data: { leaseUntil: now },
  });
}

/** Who holds the lease and until when (to say why a run cannot start). */
export async function readLease(db: Db, name: string) {
  return db.lease.findUnique({ where: { name } });
}
