// Vitest globalSetup: migrates one SQLite file and one PostgreSQL template database per run, and tells
// the test files (through `provide`) where they are, or why PostgreSQL is not there.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import {
  migratePostgresTemplate,
  dropPostgresDatabases,
  migrateSqliteTemplate,
  probePostgres,
  redactUrl,
  withAdmin,
} from "./migrate";

export type PostgresInfo =
  | { readonly available: true; readonly adminUrl: string; readonly template: string; readonly prefix: string }
  | { readonly available: false; readonly reason: string };

export interface TestDatabases {
  readonly sqliteTemplate: string;
  readonly tempDir: string;
  readonly postgres: PostgresInfo;
}

declare module "vitest" {
  export interface ProvidedContext {
    wcucTestDatabases: TestDatabases;
  }
}

export const DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

/** CI must never skip PostgreSQL silently. */
export function postgresRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true" || env.CI === "1" || env.REQUIRE_POSTGRES === "1";
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = randomBytes(4).toString("hex");
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), "wcuc-vitest-"));
  const sqliteTemplate = path.join(tempDir, "template.db");
  const adminUrl = process.env.WCUC_TEST_POSTGRES_URL || DEFAULT_POSTGRES_URL;
  const prefix = `wcuc_test_${runId}_`;
  const template = `${prefix}template`;

  const [sqlite, migrated] = await Promise.allSettled([
    migrateSqliteTemplate(sqliteTemplate),
    (async (): Promise<PostgresInfo> => {
      const reason = await probePostgres(adminUrl);
      if (reason) return { available: false, reason };
      try {
        await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE "${template}"`));
      } catch (err) {
        return {
          available: false,
          reason: `cannot create databases on ${redactUrl(adminUrl)}: ${(err as Error).message}`,
        };
      }
      try {
        await migratePostgresTemplate(adminUrl, template);
      } catch (err) {
        // A migration that fails on PostgreSQL is a real failure, never a skip.
        await dropPostgresDatabases(adminUrl, [template]).catch(() => {});
        throw err;
      }
      return { available: true, adminUrl, template, prefix };
    })(),
  ]);
  if (sqlite.status === "rejected" || migrated.status === "rejected") {
    await fs.rm(tempDir, { recursive: true, force: true });
    if (migrated.status === "fulfilled" && migrated.value.available) {
      await dropPostgresDatabases(adminUrl, [template]).catch(() => {});
    }
    throw sqlite.status === "rejected" ? sqlite.reason : (migrated as PromiseRejectedResult).reason;
  }
  const postgres = migrated.value;

  if (!postgres.available) {
    if (postgresRequired()) {
      await fs.rm(tempDir, { recursive: true, force: true });
      throw new Error(
        `PostgreSQL is required (CI=true or REQUIRE_POSTGRES=1) but ${redactUrl(adminUrl)} is not usable: ${postgres.reason}`,
      );
    }
    console.warn(`\n[tests] PostgreSQL skipped: ${postgres.reason}. The SQLite variants still run.\n`);
  }

  project.provide("wcucTestDatabases", { sqliteTemplate, tempDir, postgres });

  return async () => {
    await fs.rm(tempDir, { recursive: true, force: true });
    if (!postgres.available) return;
    // The template, and whatever a crashed test file left behind.
    const names = await withAdmin(adminUrl, async (c) => {
      const { rows } = await c.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
        [prefix],
      );
      return rows.map((r) => r.datname);
    });
    await dropPostgresDatabases(adminUrl, names);
  };
}
