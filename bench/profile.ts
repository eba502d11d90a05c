// `npx tsx bench/profile.ts [--db sqlite|postgres] [--duration 10] [--no-build]`
//
// Where the server's time goes: runs `next start` under `node --cpu-prof`, loads the floor route,
// GET /api/me and then complete logins for a measured window each, and splits the server's CPU time
// per request (per login) by component, taken from the script URL of each sampled frame. The profiler itself slows the server down about
// twofold; compare the rows with each other, not with the figures of bench/run.ts.
import autocannon from "autocannon";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LOGIN_BENCH_ENV, loginLoad, silentLogin } from "./login";
import {
  DIST_DIR,
  ensureBuild,
  dropPostgres,
  freshPostgres,
  freshSqlite,
  migrate,
  startApp,
  startSimulator,
  stop,
  stopAll,
  APP_PORT_BASE,
} from "./servers";

// Run as a script, or imported by bench/admin.ts --profile for split() and hotFunctions().
const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
const { values: args } = parseArgs({
  args: isMain ? process.argv.slice(2) : [],
  options: {
    db: { type: "string", default: "sqlite" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    "no-build": { type: "boolean", default: false },
  },
});
const seconds = Number(args.duration);
const postgres = args.db === "postgres" || args.db === "postgresql";
const connections = Number(args.connections);

export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { url: string; functionName: string; lineNumber?: number };
    children?: number[];
  }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** What a frame is, by where its code lives. */
function component(url: string, functionName: string): string | undefined {
  if (!url) return functionName === "(garbage collector)" ? "garbage collector" : undefined;
  if (url.startsWith("wasm://")) return "Prisma query compiler (Wasm)";
  if (url.includes("internal/crypto")) return "WebCrypto (session cookies: iron-session, next-auth JWE)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg?.startsWith("@prisma/")) return "Prisma client runtime";
  if (pkg === "better-sqlite3") return "driver (better-sqlite3)";
  if (pkg === "pg" || pkg?.startsWith("pg-")) return "driver (pg)";
  if (pkg === "next") return "Next.js server";
  if (pkg) return pkg;
  if (url.includes(DIST_DIR)) return "app bundle (lib/, route, zod, iron-session JS)";
  if (url.startsWith("node:")) return "Node.js (http, streams, promises)";
  return "other";
}

/** CPU µs per component inside [from, to] (monotonic µs, the profile's own clock). */
export function split(profile: CpuProfile, from: number, to: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number): string => {
    // Native frames (no URL) count for the nearest JavaScript caller.
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (frame?.functionName === "(idle)") return "(idle)";
      const c = frame && component(frame.url, frame.functionName);
      if (c) return c;
    }
    return "native (unattributed)";
  };
  const totals = new Map<string, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) return;
    const key = name(id);
    if (key !== "(idle)") totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

/**
 * The functions with the most self time inside [from, to], µs each: finer than split(), which lumps
 * React's server renderers into "Next.js server" (they are bundled inside next's runtime file).
 */
export function hotFunctions(
  profile: CpuProfile,
  from: number,
  to: number,
  top = 15,
): Array<{ name: string; us: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) return;
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)") return;
    const file = frame.url.split("/").slice(-2).join("/");
    const key = `${frame.functionName || "(anonymous)"} ${file}:${(frame.lineNumber ?? 0) + 1}`;
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, us }));
}

export const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

/** A measured window of a run, for profileReport: what it was, how many requests it served, when. */
export interface ProfiledWindow {
  readonly label: string;
  readonly count: number;
  readonly from: number;
  readonly to: number;
}

/**
 * The server's CPU per request (or per `unit`) of each window, by component and by hottest function,
 * from the one .cpuprofile `node --cpu-prof` wrote into `dir` (bench/admin.ts and bench/messages.ts --profile).
 */
export async function profileReport(
  heading: string,
  dir: string,
  windows: readonly ProfiledWindow[],
  unit = "request",
): Promise<string> {
  const file = (await readdir(dir)).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no CPU profile written in ${dir}`);
  const profile = JSON.parse(await readFile(path.join(dir, file), "utf8")) as CpuProfile;
  const lines: string[] = [`\n## ${heading}: server CPU (main thread) per ${unit}, under the profiler\n`];
  for (const w of windows) {
    const n = w.count || 1;
    const per = (us: number, digits: number) => (us / 1000 / n).toFixed(digits);
    const parts = [...split(profile, w.from, w.to)].sort((a, b) => b[1] - a[1]);
    const total = parts.reduce((sum, [, us]) => sum + us, 0);
    lines.push(`### ${w.label}: ${per(total, 2)} ms/${unit} (n = ${w.count})`, "");
    lines.push(parts.map(([k, us]) => `${k} ${per(us, 2)}`).join(" · "), "");
    for (const f of hotFunctions(profile, w.from, w.to, 20)) lines.push(`    ${per(f.us, 3)} ms  ${f.name}`);
    lines.push("");
  }
  lines.push(`profile: ${path.join(dir, file)} (open in Chrome DevTools → Performance)`);
  return lines.join("\n");
}

async function main(): Promise<void> {
  await ensureBuild(args["no-build"]);

  let databaseUrl = await freshSqlite();
  if (postgres) {
    const fresh = await freshPostgres();
    if ("skipped" in fresh) throw new Error(fresh.skipped);
    databaseUrl = fresh.url;
  }
  await migrate(databaseUrl);
  const sim = await startSimulator();
  const dir = await mkdtemp(path.join(os.tmpdir(), "wcuc-profile-"));
  const { child, appUrl } = await startApp(
    APP_PORT_BASE + 5,
    databaseUrl,
    ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    LOGIN_BENCH_ENV,
  );

  const session = await silentLogin(appUrl, { userKey: "zhangsan" });
  const headers = { cookie: `wcuc_session=${session}` };
  const windows = new Map<string, { from: number; to: number; count: number }>();
  for (const route of ["/api/bench/floor", "/api/me"]) {
    await autocannon({ url: appUrl + route, connections, duration: 2, headers });
    const from = nowMicros();
    const r = await autocannon({ url: appUrl + route, connections, duration: seconds, headers });
    windows.set(route, { from, to: nowMicros(), count: r.requests.total });
    if (r.non2xx || r.errors) throw new Error(`${route}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  }
  const users = ["zhangsan", "lisi", "emoji", "rare", "noavatar"];
  await loginLoad(appUrl, undefined, users, 16, 2);
  const from = nowMicros();
  const logins = await loginLoad(appUrl, undefined, users, 16, seconds);
  windows.set("login", { from, to: nowMicros(), count: logins.completed });
  if (logins.failures) throw new Error(`${logins.failures} logins failed`);

  await stop(child); // SIGTERM: node writes the profile on exit
  await stop(sim);
  if (postgres) await dropPostgres();

  const file = (await readdir(dir)).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no CPU profile written in ${dir}`);
  const profile = JSON.parse(await readFile(path.join(dir, file), "utf8")) as CpuProfile;
  const perItem = new Map(
    [...windows].map(([name, w]) => {
      const totals = split(profile, w.from, w.to);
      return [name, new Map([...totals].map(([k, us]) => [k, us / 1000 / w.count]))] as const;
    }),
  );
  const floor = perItem.get("/api/bench/floor") ?? new Map<string, number>();
  const me = perItem.get("/api/me") ?? new Map<string, number>();
  const login = perItem.get("login") ?? new Map<string, number>();
  const rows = [...new Set([...floor.keys(), ...me.keys(), ...login.keys()])]
    .map((k) => ({ k, f: floor.get(k) ?? 0, m: me.get(k) ?? 0, l: login.get(k) ?? 0 }))
    .sort((a, b) => b.m - b.f - (a.m - a.f));
  const total = (col: "f" | "m" | "l") => rows.reduce((sum, r) => sum + r[col], 0);
  const ms = (n: number) => n.toFixed(3);
  console.log(
    `\nServer CPU (main thread) in ms per request, and per complete login (${args.db}, ${seconds} s each, ` +
      `under the profiler; WebCrypto's thread-pool work is not on the main thread and not counted):\n`,
  );
  console.log("| Component | floor | /api/me | /api/me − floor | login |\n| --- | ---: | ---: | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.k} | ${ms(r.f)} | ${ms(r.m)} | ${ms(r.m - r.f)} | ${ms(r.l)} |`);
  console.log(
    `| **total** | ${ms(total("f"))} | ${ms(total("m"))} | ${ms(total("m") - total("f"))} | ${ms(total("l"))} |`,
  );
  const loginWindow = windows.get("login");
  if (loginWindow) {
    console.log(`\nThe login's hottest functions (self time, ms per login):\n`);
    for (const f of hotFunctions(profile, loginWindow.from, loginWindow.to, 30))
      console.log(`    ${(f.us / 1000 / loginWindow.count).toFixed(3)}  ${f.name}`);
  }
  console.log(`\nprofile: ${path.join(dir, file)} (open in Chrome DevTools → Performance)`);
}

if (isMain)
  main().then(
    () => process.exit(0),
    async (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      await stopAll();
      process.exit(1);
    },
  );
