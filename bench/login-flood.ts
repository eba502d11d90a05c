// `npx tsx bench/login-flood.ts [--duration 60] [--connections 16] [--no-build]`
//
// Figures, not a timed test: a script loops GET /api/auth/wechat/login against `next start` (SQLite) for
// --duration seconds, first from one address (behind one trusted proxy, as in production: the bench
// writes X-Forwarded-For as nginx would), then from a new address for every request (a flood from many
// machines). Each start that gets in writes a LoginState row; the table is counted before and after. One
// address is held to its per-minute budget (the count stays flat); many addresses together to the
// process's per-second budget. Exits 1 if any answer is neither 302 nor 429.
import Database from "better-sqlite3";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  APP_PORT_BASE,
  ROOT,
  ensureBuild,
  freshSqlite,
  migrate,
  startApp,
  startSimulator,
  stop,
  stopAll,
} from "./servers";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    connections: { type: "string", default: "16" },
    "no-build": { type: "boolean", default: false },
  },
});
const seconds = Number(args.duration);
const connections = Number(args.connections);
if (!(seconds > 0) || !(connections > 0)) throw new Error("--duration and --connections must be positive numbers");
const log = (line: string) => console.error(`[bench:login-flood] ${line}`);

interface Phase {
  readonly name: string;
  readonly requests: number;
  readonly started: number;
  readonly refused: number;
  readonly other: number;
  readonly rowsBefore: number;
  readonly rowsAfter: number;
}

async function flood(appUrl: string, name: string, address: () => string, rows: () => number): Promise<Phase> {
  const rowsBefore = rows();
  const until = Date.now() + seconds * 1000;
  const counts = { requests: 0, started: 0, refused: 0, other: 0 };
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const res = await fetch(`${appUrl}/api/auth/wechat/login?scope=snsapi_base&returnTo=%2Fme`, {
          redirect: "manual",
          headers: { "x-forwarded-for": address() },
        });
        await res.body?.cancel();
        counts.requests++;
        if (res.status === 302) counts.started++;
        else if (res.status === 429) counts.refused++;
        else counts.other++;
      }
    }),
  );
  return { name, ...counts, rowsBefore, rowsAfter: rows() };
}

async function main(): Promise<void> {
  await ensureBuild(args["no-build"], log);
  const sim = await startSimulator();
  const databaseUrl = await freshSqlite();
  await migrate(databaseUrl);
  // One trusted proxy in front, the defaults for the limits (30 a minute per address, 200 a second in all).
  const { child, appUrl } = await startApp(APP_PORT_BASE, databaseUrl, [], { TRUST_PROXY_HOPS: "1" });
  const db = new Database(path.join(ROOT, databaseUrl.replace(/^file:\.\//, "")), { readonly: true });
  const rows = () => (db.prepare(`SELECT count(*) AS n FROM "LoginState"`).get() as { n: number }).n;
  try {
    log(
      `${seconds} s per phase, ${connections} connections, load ${os.loadavg()[0]?.toFixed(2)} on ${os.cpus().length} cores`,
    );
    const one = await flood(appUrl, "one address", () => "203.0.113.77", rows);
    let n = 0;
    const many = await flood(
      appUrl,
      "a new address per request",
      () => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n++ & 255}`,
      rows,
    );
    console.log(
      "| Loop | Requests | 302 (row written) | 429 (nothing written) | Other | LoginState rows before → after | Rows/s |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const p of [one, many]) {
      console.log(
        `| ${p.name} | ${p.requests.toLocaleString("en")} | ${p.started.toLocaleString("en")} | ${p.refused.toLocaleString("en")} | ${p.other} | ${p.rowsBefore.toLocaleString("en")} → ${p.rowsAfter.toLocaleString("en")} | ${((p.rowsAfter - p.rowsBefore) / seconds).toFixed(1)} |`,
      );
    }
    if (one.other + many.other > 0) process.exitCode = 1;
  } finally {
    db.close();
    await stop(child);
    await stop(sim);
    await stopAll();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
  void stopAll();
});
