// Transactions on the driver, on both databases: they commit or roll back whole, run again after a
// lost race, take turns on SQLite's one connection and wait out another writer without blocking the
// event loop; named queries bind by name; runWrites is one statement on PostgreSQL; and the same named
// queries run inside Prisma's transactions.
import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { sqlitePath } from "@/prisma/database-url";
import { forEachDatabase } from "@/test/support/db";
import { dialectOf } from "./client";
import { dialectFor } from "./dialect";
import {
  driverReturning,
  driverStatement,
  driverTransaction,
  expectOne,
  namedQuery,
  runWrites,
  sqlTxOf,
  write,
} from "./driver";
import { isLostRace, RowGoneError } from "./errors";

const T0 = new Date(Date.UTC(2026, 0, 15, 8, 0, 0));

type StateParams = { state: string; now: Date };
const insertState = namedQuery<never, StateParams>(
  "test.insertState",
  `INSERT INTO "LoginState" ("state", "bindingHash", "scope", "returnTo", "createdAt", "expiresAt")
   VALUES (:state, 'h', 'snsapi_base', '/', :now, :now)`,
);
const stateReturnTo = namedQuery<never, { state: string; returnTo: string }>(
  "test.stateReturnTo",
  `UPDATE "LoginState" SET "returnTo" = :returnTo WHERE "state" = :state`,
);
const statesLike = namedQuery<{ state: string; returnTo: string; createdAt: Date | string }, { prefix: string }>(
  "test.statesLike",
  `SELECT "state", "returnTo", "createdAt" FROM "LoginState" WHERE "state" LIKE :prefix ORDER BY "state"`,
);
const deleteState = namedQuery<{ state: string }, { state: string }>(
  "test.deleteState",
  `DELETE FROM "LoginState" WHERE "state" = :state RETURNING "state"`,
);

/** A promise and the function that settles it: the test decides when a transaction goes on. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Lets the event loop turn `n` times (timers and I/O run in between). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("dialect.compile and combineWrites", () => {
  const text = `SELECT :a, :b::text, :a, '12:30' FROM t WHERE x = :c_1`;

  it("binds by name: ? in order on SQLite, $n once per name on PostgreSQL; casts and times are not names", () => {
    expect(dialectFor("sqlite").compile(text)).toEqual({
      sql: `SELECT ?, ?::text, ?, '12:30' FROM t WHERE x = ?`,
      names: ["a", "b", "a", "c_1"],
    });
    expect(dialectFor("postgresql").compile(text)).toEqual({
      sql: `SELECT $1, $2::text, $1, '12:30' FROM t WHERE x = $3`,
      names: ["a", "b", "c_1"],
    });
  });

  it("combines writes into one WITH statement on PostgreSQL only", () => {
    const writes = [`UPDATE "A" SET "x" = :x WHERE "id" = :id`, `INSERT INTO "B" ("id") VALUES (:id)`];
    expect(dialectFor("sqlite").combineWrites(writes)).toBeUndefined();
    expect(dialectFor("postgresql").combineWrites(writes)).toBe(
      `WITH w0 AS (UPDATE "A" SET "x" = :w0_x WHERE "id" = :w0_id RETURNING 1), ` +
        `w1 AS (INSERT INTO "B" ("id") VALUES (:w1_id) RETURNING 1) ` +
        `SELECT (SELECT count(*) FROM w0) AS "n0", (SELECT count(*) FROM w1) AS "n1"`,
    );
  });
});

describe("namedQuery", () => {
  it("refuses a name declared again with another text, or longer than PostgreSQL keeps", () => {
    expect(() => namedQuery("test.insertState", `SELECT 1`)).toThrow(/declared twice/);
    // PostgreSQL would cut it, and two long names alike could become one prepared statement.
    expect(() => namedQuery(`test.${"x".repeat(60)}`, `SELECT 1`)).toThrow(/63 bytes/);
    expect(namedQuery("test.stateReturnTo", stateReturnTo.text)).toEqual(stateReturnTo);
  });
});

forEachDatabase((kind, database) => {
  beforeEach(async () => {
    await database().db.loginState.deleteMany();
  });

  const states = async (prefix = "%") =>
    (await database().db.loginState.findMany({ where: { state: { startsWith: prefix.replace("%", "") } } }))
      .map((s) => `${s.state}:${s.returnTo}`)
      .sort();

  describe("driverTransaction", () => {
    it("commits every statement, or none when the work throws", async () => {
      const { db } = database();
      const read = await driverTransaction(db, async (tx) => {
        await tx.run(insertState, { state: "a", now: T0 });
        expectOne(await tx.run(stateReturnTo, { state: "a", returnTo: "/me" }), "LoginState");
        return tx.rows(statesLike, { prefix: "a%" });
      });
      // Read back as the drivers read: a Date on PostgreSQL, Prisma's ISO text on SQLite.
      expect(read.map((r) => [r.state, r.returnTo, new Date(r.createdAt).toISOString()])).toEqual([
        ["a", "/me", T0.toISOString()],
      ]);

      await expect(
        driverTransaction(db, async (tx) => {
          await tx.run(insertState, { state: "b", now: T0 });
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      expect(await states()).toEqual(["a:/me"]);
    });

    it("runs the work again after a lost race, and gives up after four attempts", async () => {
      const { db } = database();
      let attempts = 0;
      const done = await driverTransaction(db, async (tx) => {
        attempts++;
        await tx.run(insertState, { state: `try${attempts}`, now: T0 });
        // The row it must change is not there (yet): as if a concurrent transaction had removed it.
        expectOne(await tx.run(stateReturnTo, { state: "later", returnTo: "/" }), "LoginState");
        return "unreachable";
      }).catch((err: unknown) => err);
      expect(done).toBeInstanceOf(RowGoneError);
      expect(attempts).toBe(4);
      expect(await states()).toEqual([]);

      attempts = 0;
      expect(
        await driverTransaction(db, async (tx) => {
          if (++attempts < 3) throw new RowGoneError("not yet");
          await tx.run(insertState, { state: "third", now: T0 });
          return attempts;
        }),
      ).toBe(3);
      expect(await states()).toEqual(["third:/"]);
    });

    it("reports the database's own unique violation as a lost race", async () => {
      const { db } = database();
      await driverStatement(db, insertState, { state: "dup", now: T0 });
      const viaStatement = await driverStatement(db, insertState, { state: "dup", now: T0 }).catch((e: unknown) => e);
      let attempts = 0;
      const viaTransaction = await driverTransaction(db, async (tx) => {
        attempts++;
        await tx.run(insertState, { state: "dup", now: T0 });
      }).catch((e: unknown) => e);
      expect(isLostRace(viaStatement)).toBe(true);
      expect(isLostRace(viaTransaction)).toBe(true);
      expect(attempts).toBe(4);
      expect(isLostRace(new Error("something else"))).toBe(false);
    });

    it("refuses a statement with a parameter left out, before it reaches the database", async () => {
      const { db } = database();
      await expect(driverStatement(db, insertState, { state: "x" } as unknown as StateParams)).rejects.toThrow(
        /no value for :now/,
      );
    });

    it("keeps a statement issued meanwhile out of an open transaction", async () => {
      const { db } = database();
      const held = gate();
      const entered = gate();
      const transaction = driverTransaction(db, async (tx) => {
        await tx.run(insertState, { state: "inside", now: T0 });
        entered.open();
        await held.opened;
        throw new Error("rolled back");
      }).catch((e: unknown) => e);
      await entered.opened;
      // Issued while the transaction is open: it must neither join it (and be rolled back with it) nor see it.
      const outside = driverStatement(db, insertState, { state: "outside", now: T0 });
      const deleted = driverReturning(db, deleteState, { state: "inside" });
      held.open();
      await outside;
      expect(await deleted).toEqual([]);
      expect(await transaction).toEqual(new Error("rolled back"));
      expect(await states()).toEqual(["outside:/"]);
    });
  });

  describe("runWrites", () => {
    it("answers how many rows each write changed, in order", async () => {
      const { db } = database();
      await driverStatement(db, insertState, { state: "w1", now: T0 });
      const counts = await driverTransaction(db, (tx) =>
        runWrites(tx, [
          write(stateReturnTo, { state: "w1", returnTo: "/one" }),
          write(insertState, { state: "w2", now: T0 }),
          write(stateReturnTo, { state: "nobody", returnTo: "/none" }),
        ]),
      );
      expect(counts).toEqual([1, 1, 0]);
      expect(await states()).toEqual(["w1:/one", "w2:/"]);
    });

    it(`is ${kind === "postgresql" ? "one statement, whose writes do not see one another" : "one statement after another"}`, async () => {
      const { db } = database();
      const counts = await driverTransaction(db, (tx) =>
        runWrites(tx, [
          write(insertState, { state: "same", now: T0 }),
          write(stateReturnTo, { state: "same", returnTo: "/changed" }),
        ]),
      );
      // Why runWrites is only for writes to different rows: on PostgreSQL the update ran beside the
      // insert, in the snapshot from before it.
      expect(counts).toEqual(kind === "postgresql" ? [1, 0] : [1, 1]);
    });
  });

  describe("sqlTxOf", () => {
    it("runs named queries inside a Prisma transaction, which commits or rolls them back with its own", async () => {
      const { db } = database();
      const dialect = dialectOf(db);
      await db.$transaction(async (prismaTx) => {
        const tx = sqlTxOf(prismaTx, dialect);
        await tx.run(insertState, { state: "p1", now: T0 });
        await prismaTx.loginState.update({ where: { state: "p1" }, data: { returnTo: "/prisma" } });
        expect((await tx.rows(statesLike, { prefix: "p%" })).map((r) => r.returnTo)).toEqual(["/prisma"]);
        expect(
          await runWrites(tx, [
            write(stateReturnTo, { state: "p1", returnTo: "/named" }),
            write(insertState, { state: "p2", now: T0 }),
          ]),
        ).toEqual([1, 1]);
      });
      await db
        .$transaction(async (prismaTx) => {
          await sqlTxOf(prismaTx, dialect).run(insertState, { state: "p3", now: T0 });
          throw new Error("roll back");
        })
        .catch(() => undefined);
      expect(await states()).toEqual(["p1:/named", "p2:/"]);
      // A unique violation through Prisma's raw statements is a lost race too.
      const raw = await db
        .$transaction((prismaTx) => sqlTxOf(prismaTx, dialect).run(insertState, { state: "p1", now: T0 }))
        .catch((e: unknown) => e);
      expect(isLostRace(raw)).toBe(true);
    });
  });

  if (kind === "sqlite") {
    it("waits for another connection's write lock without blocking the event loop, then commits", async () => {
      const { db, url } = database();
      await driverStatement(db, insertState, { state: "warm", now: T0 });
      const other = new Database(sqlitePath(url));
      try {
        other.prepare("BEGIN IMMEDIATE").run();
        let finished = false;
        const transaction = driverTransaction(db, (tx) => tx.run(insertState, { state: "after", now: T0 })).then(
          () => (finished = true),
        );
        // The event loop keeps turning while the transaction waits (a synchronous busy wait would hold it).
        const before = performance.now();
        await turns(20);
        expect(performance.now() - before).toBeLessThan(1000);
        expect(finished).toBe(false);
        other.prepare("COMMIT").run();
        await transaction;
        expect(finished).toBe(true);
        expect(await states()).toEqual(["after:/", "warm:/"]);
      } finally {
        other.close();
      }
    });
  }
});
