// Run by each app's webServer command before `next start`: an empty, migrated database (the one in
// DATABASE_URL) and, with --build, one production build into NEXT_DIST_DIR for all the apps.
//
//   npx tsx e2e/support/prepare-app.ts [--build]   (with DATABASE_URL and the app env set)
//
// E2E_SKIP_BUILD=1 reuses an existing build (quicker while writing tests; never in CI).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { DIST_DIR, WORK_DIR } from "./env";
import { isPostgres, recreatePostgresDatabase, removeSqliteDatabase } from "./database";

const log = (message: string) => process.stderr.write(`[e2e] ${message}\n`);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  try {
    execFileSync(command, args, { env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 64 << 20 });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    process.stderr.write(`${stdout ?? ""}${stderr ?? ""}`);
    throw new Error(`${command} ${args.join(" ")} failed`);
  }
}

/**
 * `next build` with a distDir other than .next adds that folder's type globs to tsconfig.json and
 * points next-env.d.ts (generated, not committed) at it. Both belong to the project, not to this run:
 * put them back, unless someone else edited tsconfig.json meanwhile.
 */
function buildKeepingProjectFiles(): void {
  const tsconfig = readFileSync("tsconfig.json", "utf8");
  const nextEnv = existsSync("next-env.d.ts") ? readFileSync("next-env.d.ts", "utf8") : undefined;
  try {
    run("npx", ["next", "build"], { ...process.env, NEXT_DIST_DIR: DIST_DIR });
  } finally {
    if (nextEnv !== undefined) writeFileSync("next-env.d.ts", nextEnv);
    const now = readFileSync("tsconfig.json", "utf8");
    if (now !== tsconfig) {
      if (isDeepStrictEqual(withoutDistTypes(now), JSON.parse(tsconfig))) writeFileSync("tsconfig.json", tsconfig);
      else log(`tsconfig.json changed during the build; left as it is (check its "include" for ${DIST_DIR})`);
    }
  }
}

function withoutDistTypes(json: string): unknown {
  const config = JSON.parse(json) as { include?: string[] };
  config.include = config.include?.filter((glob) => !glob.startsWith(`${DIST_DIR}/`));
  return config;
}

async function main(): Promise<void> {
  mkdirSync(WORK_DIR, { recursive: true });
  if (process.argv.includes("--build")) {
    if (process.env.E2E_SKIP_BUILD === "1" && existsSync(`${DIST_DIR}/BUILD_ID`)) {
      log(`reusing the build in ${DIST_DIR} (E2E_SKIP_BUILD=1)`);
    } else {
      const started = Date.now();
      log(`next build into ${DIST_DIR} ...`);
      buildKeepingProjectFiles();
      log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  if (isPostgres(url)) await recreatePostgresDatabase(url);
  else removeSqliteDatabase(url);
  run("npm", ["run", "db:migrate", "--silent", "--", "--quiet"]);
  log(`migrated ${url.replace(/\/\/[^@/]*@/, "//")}`);
}

main().catch((err: unknown) => {
  log(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
