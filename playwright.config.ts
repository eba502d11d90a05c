// Browser tests against production builds (`next start`) of the app, with the WeChat simulator as WeChat.
//
// One build (into .next-e2e, so it never collides with `npm run dev` or the benchmarks), then:
//   simulator :4100 · app on SQLite :3100 · app on PostgreSQL :3101 · app with WECHAT_BROWSER_ONLY=1 :3102
// Each app starts on a freshly created and migrated database. PostgreSQL is optional on a laptop (the
// project is skipped, with a message) and required when CI=true or REQUIRE_POSTGRES=1.
import { defineConfig, devices, type PlaywrightTestConfig } from "@playwright/test";
import type { WorkerOptions } from "./e2e/fixtures";
import {
  APP_PORTS,
  OUTSIDE_SQLITE_URL,
  POSTGRES_ADMIN_URL,
  SIM_PORT,
  SIM_URL,
  SQLITE_URL,
  WECHAT_PHONE,
  WORK_DIR,
  appEnv,
  appUrl,
  postgresTestUrl,
} from "./e2e/support/env";
import { probePostgres } from "./e2e/support/postgres-probe";
import { CHROMIUM_LAUNCH } from "./e2e/support/chromium";

const isWorker = process.env.TEST_WORKER_INDEX !== undefined;
const postgresRequired = process.env.CI === "true" || process.env.REQUIRE_POSTGRES === "1";

// Probed once by the runner; workers re-evaluate this file and must see the same projects.
if (process.env.WCUC_E2E_PG === undefined) {
  const probe = probePostgres(POSTGRES_ADMIN_URL);
  process.env.WCUC_E2E_PG = probe.ok ? "ok" : probe.reason;
}
const postgresReason = process.env.WCUC_E2E_PG === "ok" ? undefined : process.env.WCUC_E2E_PG;
if (postgresReason !== undefined && postgresRequired) {
  throw new Error(`PostgreSQL e2e required (CI=true or REQUIRE_POSTGRES=1) but unreachable: ${postgresReason}`);
}
if (postgresReason !== undefined && !isWorker) console.warn(`PostgreSQL e2e skipped: ${postgresReason}`);
const postgresUrl = postgresReason === undefined ? postgresTestUrl() : undefined;
// For globalTeardown, which drops the database.
if (postgresUrl) process.env.WCUC_E2E_PG_URL = postgresUrl;

const prepare = (build: boolean) => `node_modules/.bin/tsx e2e/support/prepare-app.ts${build ? " --build" : ""}`;

function appServer(port: number, databaseUrl: string, options: { build?: boolean; env?: Record<string, string> } = {}) {
  return {
    // The servers start one after another in this order, so the first app's command builds for all.
    command: `${prepare(options.build ?? false)} && exec node_modules/.bin/next start -p ${port}`,
    url: `${appUrl(port)}/api/health`,
    env: appEnv(port, databaseUrl, options.env),
    timeout: options.build ? 240_000 : 60_000,
    reuseExistingServer: false,
  };
}

const webServer: NonNullable<PlaywrightTestConfig["webServer"]> = [
  {
    command: "exec node_modules/.bin/tsx simulator/cli.ts",
    url: `${SIM_URL}/__sim/health`,
    env: { SIM_PORT: String(SIM_PORT) },
    timeout: 30_000,
    reuseExistingServer: false,
  },
  appServer(APP_PORTS.sqlite, SQLITE_URL, { build: true }),
  ...(postgresUrl ? [appServer(APP_PORTS.postgres, postgresUrl)] : []),
  appServer(APP_PORTS.outside, OUTSIDE_SQLITE_URL, { env: { WECHAT_BROWSER_ONLY: "1" } }),
];

// Every spec but the outside-WeChat one runs on both databases (the CSP sweep on SQLite only, see below).
const databaseSpecs = /e2e\/(wechat|admin|messages|followers|token|pay|cards)\/.*\.spec\.ts$/;

export default defineConfig<WorkerOptions>({
  testDir: "e2e",
  outputDir: `${WORK_DIR}/results`,
  // One simulator (one clock, one failure script) serves every project: one test at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: process.env.CI === "true",
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter:
    process.env.CI === "true" ? [["list"], ["html", { outputFolder: `${WORK_DIR}/report`, open: "never" }]] : "list",
  globalTeardown: "./e2e/support/global-teardown.ts",
  use: {
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
  },
  webServer,
  projects: [
    {
      name: "sqlite",
      testMatch: databaseSpecs,
      use: {
        ...WECHAT_PHONE,
        launchOptions: CHROMIUM_LAUNCH,
        baseURL: appUrl(APP_PORTS.sqlite),
        databaseUrl: SQLITE_URL,
      },
    },
    ...(postgresUrl
      ? [
          {
            name: "postgres",
            testMatch: databaseSpecs,
            // The Content-Security-Policy is built from the path alone (no data): its page-by-page sweep runs
            // once, on SQLite, and spares the suite a minute and a half.
            testIgnore: /e2e\/wechat\/csp\.spec\.ts$/,
            use: {
              ...WECHAT_PHONE,
              launchOptions: CHROMIUM_LAUNCH,
              baseURL: appUrl(APP_PORTS.postgres),
              databaseUrl: postgresUrl,
            },
          },
        ]
      : []),
    {
      name: "outside-wechat",
      testMatch: /e2e\/outside-wechat\.spec\.ts$/,
      use: {
        ...devices["Desktop Chrome"],
        locale: "zh-CN",
        launchOptions: CHROMIUM_LAUNCH,
        baseURL: appUrl(APP_PORTS.outside),
        databaseUrl: OUTSIDE_SQLITE_URL,
      },
    },
  ],
});
