// The dialect object on both databases: a client's dialect is known whether it came from createDb or
// wraps one, and the fragments it gives run and mean the same on each.
import { expect, it } from "vitest";
import { Prisma } from "@/lib/generated/sqlite/client";
import { forEachDatabase } from "@/test/support/db";
import { dialectOf } from "./client";
import { dialectFor } from "./dialect";

forEachDatabase((kind, database) => {
  it("knows a client's dialect, and a wrapper's", () => {
    const { db } = database();
    expect(dialectOf(db)).toBe(dialectFor(kind));
    expect(dialectOf(new Proxy(db, {}))).toBe(dialectFor(kind));
  });

  it("gives the day at an offset, an estimate, and raw row sources that run", async () => {
    const { db } = database();
    const dialect = dialectOf(db);
    await db.user.deleteMany();
    await db.user.create({
      data: { id: "d1", createdAt: new Date("2026-01-01T16:30:00Z"), lastLoginAt: new Date("2026-01-01T16:30:00Z") },
    });
    const [day] = await db.$queryRaw<{ day: string }[]>(
      Prisma.sql`SELECT ${dialect.dayAt(`"createdAt"`, 8)} AS "day" FROM "User"`,
    );
    expect(day?.day).toBe("2026-01-02");
    const [row] = await db.$queryRaw<{ n: unknown }[]>(dialect.rowEstimate(`"User"`));
    const estimate = dialect.estimateOf(row?.n);
    // SQLite's largest rowid is exact here; PostgreSQL has no estimate before its first ANALYZE.
    expect(estimate === null || estimate >= 0).toBe(true);
    const source = dialect.rowSource(["text", "boolean"], [["d1", true]]);
    const wanted = dialect.inList(`"id"`, ["d1", "d2"], 2);
    await db.$executeRawUnsafe(dialect.updateFrom("User", ["id", "subscribed"], source.sql), ...source.values);
    const found = await db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT "id" FROM "User" WHERE "subscribed" = ${dialect.param(1)} AND ${wanted.sql}`,
      dialect.encode(true),
      ...wanted.values,
    );
    expect(found.map((r) => r.id)).toEqual(["d1"]);
  });
});
