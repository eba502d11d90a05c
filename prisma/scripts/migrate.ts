// `npm run db:migrate`: applies the migrations to whatever DATABASE_URL names (default: the embedded
// SQLite file under data/). SQLite is switched to WAL so readers never wait for the writer.
import { spawn } from "node:child_process";
import Database from "better-sqlite3";
import { DEFAULT_DATABASE_URL, databaseKind, sqlitePath } from "../database-url";

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const quiet = process.argv.includes("--quiet");
const DONE = /All migrations have been successfully applied|No pending migrations to apply/;

// On PostgreSQL the JS schema engine keeps one connection after it has finished, and the CLI then idles
// for about 10 s before exiting; once it has said the migrations are applied, it is stopped.
function migrateDeploy(): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that stopping it stops the CLI and not only a wrapper around it.
    const child = spawn("npx", ["prisma", "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    let done = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!quiet) process.stdout.write(chunk);
      if (!done && DONE.test(output)) {
        done = true;
        setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGTERM");
          } catch {
            // already gone
          }
        }, 200).unref();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (!quiet) process.stderr.write(chunk);
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (done || code === 0) resolve();
      else reject(new Error(`prisma migrate deploy failed (exit ${code}):\n${quiet ? output : ""}`));
    });
  });
}

await migrateDeploy();
if (databaseKind(url) === "sqlite") {
  const sqlite = new Database(sqlitePath(url));
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
}
