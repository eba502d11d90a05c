// readRows answers what $queryRaw answers (the callers normalise either), on both databases, in any
// time zone: a timestamp without time zone is UTC, as Prisma writes it.
import { afterEach, beforeEach, expect, it } from "vitest";
import { Prisma } from "@/lib/generated/sqlite/client";
import { forEachDatabase } from "@/test/support/db";
import { readRows } from "./reader";

const T0 = new Date(Date.UTC(2026, 0, 15, 8, 30, 15, 123));

forEachDatabase((kind, database) => {
  const zone = process.env.TZ;
  beforeEach(async () => {
    await database().db.user.deleteMany();
    // Beijing time: a reader that took timestamps as local time would be 8 hours off.
    process.env.TZ = "Asia/Shanghai";
  });
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it("rows with dates, booleans and nulls, and Date and boolean parameters", async () => {
    const { db } = database();
    await db.user.create({
      data: { id: "u1", nickname: "小明😀", subscribed: true, createdAt: T0, lastLoginAt: T0, remark: null },
    });
    await db.user.create({
      data: { id: "u2", subscribed: false, createdAt: new Date(T0.getTime() + 1000), lastLoginAt: T0 },
    });
    const query = Prisma.sql`SELECT u."id", u."nickname", u."subscribed", u."remark", u."createdAt" FROM "User" u
      WHERE u."createdAt" <= ${T0} AND u."subscribed" = ${true} ORDER BY u."id"`;
    const direct = await readRows<Record<string, unknown>>(db, query);
    const viaPrisma = await db.$queryRaw<Record<string, unknown>[]>(query);
    expect(direct).toHaveLength(1);
    expect(direct[0]).toMatchObject({ id: "u1", nickname: "小明😀", remark: null });
    expect(Boolean(Number(direct[0]!.subscribed))).toBe(true);
    expect(new Date(direct[0]!.createdAt as string | Date).toISOString()).toBe(T0.toISOString());
    expect(new Date(viaPrisma[0]!.createdAt as string | Date).toISOString()).toBe(T0.toISOString());
    if (kind === "postgresql") expect(direct[0]!.createdAt).toEqual(T0);
    // Prepared once, asked again with other values.
    const later = Prisma.sql`SELECT u."id", u."nickname", u."subscribed", u."remark", u."createdAt" FROM "User" u
      WHERE u."createdAt" <= ${new Date(T0.getTime() + 1000)} AND u."subscribed" = ${false} ORDER BY u."id"`;
    expect((await readRows<{ id: string }>(db, later)).map((r) => r.id)).toEqual(["u2"]);
  });
});
