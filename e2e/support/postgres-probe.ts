import { spawnSync } from "node:child_process";

// Playwright's config is synchronous, so the probe runs in a child process: connect and SELECT 1.
const PROBE = `
const { Client } = require("pg");
const client = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
client.connect().then(() => client.query("SELECT 1")).then(() => client.end()).then(
  () => process.exit(0),
  (err) => { console.error(err && err.message ? err.message : String(err)); process.exit(1); },
);`;

/** Whether the PostgreSQL server of `adminUrl` accepts a connection; the reason when not. */
export function probePostgres(adminUrl: string): { ok: true } | { ok: false; reason: string } {
  const result = spawnSync(process.execPath, ["-e", PROBE, adminUrl], { encoding: "utf8", timeout: 8000 });
  if (result.status === 0) return { ok: true };
  const reason = result.error?.message ?? result.stderr.trim().split("\n").pop() ?? `exit code ${result.status}`;
  const where = new URL(adminUrl);
  return { ok: false, reason: `${where.hostname}:${where.port || 5432}: ${reason || "no answer"}` };
}
