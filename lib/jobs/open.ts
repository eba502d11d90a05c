// The job backend for a database: pg-boss on PostgreSQL, the Job table on SQLite (the composition root,
// lib/services.ts, builds the app's runner on it).
import { dialectOf, perDatabase, type Db } from "@/lib/db";
import { PgBossJobBackend } from "./pg-boss";
import { HEARTBEAT_MS } from "./runner";
import { SqliteJobBackend } from "./sqlite";
import type { JobBackend } from "./types";

/** `supervise`: this process also expires dead runners' jobs and archives old ones (PostgreSQL). */
export function openJobBackend(url: string, database: Db, now: () => Date, supervise: boolean): JobBackend {
  return perDatabase<JobBackend>(dialectOf(database), {
    sqlite: () => new SqliteJobBackend(database, now),
    postgresql: () => new PgBossJobBackend(url, { supervise, heartbeatMs: HEARTBEAT_MS }),
  });
}
