// `npm run db:migrate`: applies the migrations to whatever DATABASE_URL names (default: the embedded
// SQLite file under data/). SQLite is switched to WAL so readers never wait for the writer.
import { execFileSync } from "node:child_process";
import Database from "better-sqlite3";
import { DEFAULT_DATABASE_URL, databaseKind, sqlitePath } from "../database-url";

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
execFileSync("npx", ["prisma", "migrate", "deploy"], {
  stdio: process.argv.includes("--quiet") ? "ignore" : "inherit",
  env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1" },
});
if (databaseKind(url) === "sqlite") {
  const sqlite = new Database(sqlitePath(url));
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
}
