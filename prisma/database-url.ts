// Which database a DATABASE_URL names. Shared by prisma.config.ts, the runtime client and scripts,
// so the CLI and the app can never disagree about SQLite vs PostgreSQL.

export type DatabaseKind = "sqlite" | "postgresql";

export const DEFAULT_DATABASE_URL = "file:./data/dev.db";

export function databaseKind(url: string): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (url.startsWith("postgresql://") || url.startsWith("postgres://")) return "postgresql";
  throw new Error(
    `DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got "${url.split(":")[0]}:..."`,
  );
}

/** The file path of a SQLite URL, relative to the process's working directory (as the adapter reads it). */
export function sqlitePath(url: string): string {
  return url.replace(/^file:/, "").split("?")[0] ?? "";
}

export const SCHEMA_FILES: Record<DatabaseKind, string> = {
  sqlite: "prisma/schema.prisma",
  postgresql: "prisma/schema.postgres.prisma",
};

export const MIGRATION_DIRS: Record<DatabaseKind, string> = {
  sqlite: "prisma/migrations/sqlite",
  postgresql: "prisma/migrations/postgres",
};
