// A named lease in the database (model Lease): while leaseUntil is in the future only its holder may do
// the named work, across processes and instances. Taken with a conditional write, so two contenders
// can never both win; a crashed holder's lease simply runs out. `fencing` grows with every
// acquisition: a renewal names the fencing it holds, so a holder that stalled past its lease and was
// replaced learns it at its next renewal instead of writing on.
import { isUniqueViolation, type Db } from "@/lib/db";

export interface HeldLease {
  readonly name: string;
  readonly holder: string;
  readonly fencing: number;
  readonly leaseUntil: Date;
}

export interface BusyLease {
  readonly holder: string;
  readonly leaseUntil: Date;
}

export async function acquireLease(
  db: Db,
  name: string,
  holder: string,
  now: Date,
  ttlMs: number,
): Promise<{ ok: true; lease: HeldLease } | { ok: false; busy: BusyLease }> {
  const leaseUntil = new Date(now.getTime() + ttlMs);
  try {
    await db.lease.create({ data: { name, holder, leaseUntil, acquiredAt: now, fencing: 1 } });
    return { ok: true, lease: { name, holder, fencing: 1, leaseUntil } };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  const taken = await db.lease.updateMany({
    where: { name, OR: [{ leaseUntil: { lte: now } }, { holder }] },
    data: { holder, leaseUntil, acquiredAt: now, fencing: { increment: 1 } },
  });
  const row = await db.lease.findUnique({ where: { name } });
  if (taken.count === 1 && row && row.holder === holder) {
    return { ok: true, lease: { name, holder, fencing: row.fencing, leaseUntil } };
  }
  return { ok: false, busy: { holder: row?.holder ?? "?", leaseUntil: row?.leaseUntil ?? now } };
}

/** Extends a lease still held; false when it was lost (expired and taken by someone else). */
export async function renewLease(db: Db, lease: HeldLease, now: Date, ttlMs: number): Promise<boolean> {
  const renewed = await db.lease.updateMany({
    where: { name: lease.name, holder: lease.holder, fencing: lease.fencing },
    data: { leaseUntil: new Date(now.getTime() + ttlMs) },
  });
  return renewed.count === 1;
}

/** Lets the next contender in at once (a no-op when the lease was already lost). */
export async function releaseLease(db: Db, lease: HeldLease, now: Date): Promise<void> {
  await db.lease.updateMany({
    where: { name: lease.name, holder: lease.holder, fencing: lease.fencing },
    data: { leaseUntil: now },
  });
}
