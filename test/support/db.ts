// A fresh database per test file, on SQLite and on PostgreSQL, copied from the templates that
// global-setup.ts migrated. `forEachDatabase` runs a suite once per database.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, inject } from "vitest";
import { createDb, type Db } from "@/lib/db";
import type { DatabaseKind } from "@/prisma/database-url";
import { databaseUrl, dropPostgresDatabases, withAdmin } from "./migrate";

export type { DatabaseKind };

export interface TestDatabase {
  readonly kind: DatabaseKind;
  readonly url: string;
  readonly db: Db;
}

export const DATABASE_KINDS: readonly DatabaseKind[] = ["sqlite", "postgresql"];
export const DATABASE_LABEL: Record<DatabaseKind, string> = { sqlite: "SQLite", postgresql: "PostgreSQL" };

function info() {
  return inject("wcucTestDatabases");
}

/** Why PostgreSQL tests cannot run in this run, or undefined when they can. */
export function postgresSkipReason(): string | undefined {
  const pg = info().postgres;
  return pg.available ? undefined : pg.reason;
}

/** A migrated, empty database of `kind`, and the function that disposes of it. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase & { drop(): Promise<void> }> {
  const { sqliteTemplate, tempDir, postgres } = info();
  const suffix = randomBytes(6).toString("hex");
  if (kind === "sqlite") {
    const file = path.join(tempDir, `t_${suffix}.db`);
    await fs.copyFile(sqliteTemplate, file);
    const url = `file:${file}`;
    const db = createDb(url);
    return {
      kind,
      url,
      db,
      async drop() {
        await db.$disconnect();
        await Promise.all(["", "-wal", "-shm"].map((ext) => fs.rm(file + ext, { force: true })));
      },
    };
  }
  if (!postgres.available) throw new Error(`PostgreSQL is not available: ${postgres.reason}`);
  const name = `${postgres.prefix}${suffix}`;
  await withAdmin(postgres.adminUrl, async (c) => {
    // Two files copying the template at the same instant can collide on its lock: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE "${name}" TEMPLATE "${postgres.template}"`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== "55006" || attempt >= 20) throw err;
        await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
      }
    }
  });
  const url = databaseUrl(postgres.adminUrl, name);
  const db = createDb(url);
  return {
    kind,
    url,
    db,
    async drop() {
      await db.$disconnect();
      await dropPostgresDatabases(postgres.adminUrl, [name]);
    },
  };
}

/** Empties every table (children first), so each test starts from nothing. */
export async function clearDatabase(db: Db): Promise<void> {
  await db.loginEvent.deleteMany();
  await db.identity.deleteMany();
  await db.user.deleteMany();
  await db.loginState.deleteMany();
}

/** Every row of every table, for "this value appears nowhere" assertions. */
export async function dumpDatabase(db: Db): Promise<string> {
  const [users, identities, states, events] = await Promise.all([
    db.user.findMany(),
    db.identity.findMany(),
    db.loginState.findMany(),
    db.loginEvent.findMany(),
  ]);
  return JSON.stringify({ users, identities, states, events });
}

/**
 * Runs `body` once per database, inside a describe named after it, with a fresh database for the
 * file. When PostgreSQL is unavailable (and not required: see global-setup.ts) its variant is a
 * visible skip whose name says why.
 */
export function forEachDatabase(body: (kind: DatabaseKind, database: () => TestDatabase) => void): void {
  for (const kind of DATABASE_KINDS) {
    const skipReason = kind === "postgresql" ? postgresSkipReason() : undefined;
    if (skipReason) {
      console.warn(`[tests] PostgreSQL skipped: ${skipReason}`);
      describe.skip(`PostgreSQL skipped: ${skipReason}`, () => {
        body(kind, () => {
          throw new Error("skipped");
        });
      });
      continue;
    }
    describe(DATABASE_LABEL[kind], () => {
      let current: (TestDatabase & { drop(): Promise<void> }) | undefined;
      beforeAll(async () => {
        current = await createTestDatabase(kind);
      });
      afterAll(async () => {
        await current?.drop();
        current = undefined;
      });
      body(kind, () => {
        if (!current) throw new Error("the test database is not ready (used outside a test or hook?)");
        return current;
      });
    });
  }
}
