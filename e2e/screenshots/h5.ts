// Screenshots of every end-user (H5) page at 390x844, light and dark, into docs/screenshots/h5/:
//
//   npm run screenshots:h5
//
// Starts its own simulator (:4300) and `next dev` (:3300, into .next-shots) on a fresh SQLite database,
// so it runs beside `npm run dev`, the e2e suite (3100+/4100) and the benchmarks (3200+/4200). It logs in
// as the simulator's 张三 the way WeChat's browser would (same user agent and page objects as the e2e
// tests). Chinese needs a CJK font on the machine (Debian: apt-get install fonts-noto-cjk).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, expect as baseExpect, type Browser, type Page } from "@playwright/test";
import { MePage } from "../pages/me-page";
import { SimulatorConsent } from "../pages/simulator-consent";
import { SIM_PATHS, SimClient } from "../sim";
import { WECHAT_PHONE } from "../support/env";
import { CHROMIUM_LAUNCH } from "../support/chromium";

const expect = baseExpect.configure({ timeout: 60_000 });

const SIM_PORT = 4300;
const APP_PORT = 3300;
const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
const APP_URL = `http://localhost:${APP_PORT}`;
const DIST_DIR = ".next-shots";
const OUT_DIR = "docs/screenshots/h5";
/** Safari on an iPhone: the page that asks to open the link in WeChat is seen outside it. */
const SAFARI_USER_AGENT =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

const log = (message: string) => process.stderr.write(`[screenshots] ${message}\n`);
const children: ChildProcess[] = [];

function checkCjkFont(): void {
  let families: string;
  try {
    families = execFileSync("fc-list", [":lang=zh", "family"], { encoding: "utf8" });
  } catch {
    return; // no fontconfig (macOS): the system has its own CJK fonts
  }
  if (families.trim() === "") {
    throw new Error("no CJK font: Chinese would render as boxes (Debian: apt-get install fonts-noto-cjk)");
  }
}

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): void {
  // Its own process group, so that stopping it also stops what it started (next dev's workers).
  const child = spawn(command, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("exit", (code) => {
    if (code !== null && code !== 0) log(`${name} exited with ${code}:\n${output}`);
  });
  children.push(child);
}

function stopAll(): void {
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function startServers(databaseUrl: string): Promise<void> {
  const base = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };
  execFileSync("npm", ["run", "db:migrate", "--silent", "--", "--quiet"], {
    env: { ...base, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "ignore", "inherit"],
  });
  start("simulator", "node_modules/.bin/tsx", ["simulator/cli.ts"], { ...base, SIM_PORT: String(SIM_PORT) });
  start("next dev", "node_modules/.bin/next", ["dev", "-p", String(APP_PORT)], {
    ...base,
    NODE_ENV: "development",
    NEXT_DIST_DIR: DIST_DIR,
    PORT: String(APP_PORT),
    APP_URL,
    DATABASE_URL: databaseUrl,
    WECHAT_OAUTH_BASE: SIM_URL,
    WECHAT_API_BASE: SIM_URL,
    WECHAT_API_BACKUP_BASE: SIM_URL,
  });
  await waitFor(`${SIM_URL}/__sim/health`, 30_000);
  await waitFor(`${APP_URL}/api/health`, 180_000);
  // next dev compiles a page on its first request: do it before the browser starts counting.
  for (const path of ["/", "/auth/error", "/auth/snapshot", "/auth/open-in-wechat", "/me"]) {
    await fetch(APP_URL + path, { redirect: "manual" });
  }
}

const SCHEMES = ["light", "dark"] as const;
type Scheme = (typeof SCHEMES)[number];

async function newPhone(browser: Browser, scheme: Scheme, userAgent = WECHAT_PHONE.userAgent) {
  // Scale 1: 390x844 PNGs, small enough to commit.
  const context = await browser.newContext({
    ...WECHAT_PHONE,
    userAgent,
    deviceScaleFactor: 1,
    colorScheme: scheme,
    baseURL: APP_URL,
  });
  context.setDefaultTimeout(60_000);
  return context;
}

async function shoot(page: Page, scheme: Scheme, name: string): Promise<void> {
  // next dev's own indicator is not part of the page.
  await page.addStyleTag({ content: "nextjs-portal { display: none !important; }" });
  await page.evaluate(() => document.fonts.ready);
  const path = join(OUT_DIR, `${name}-${scheme}.png`);
  await page.screenshot({ path, animations: "disabled", caret: "hide" });
  log(path);
}

async function pagesWithoutLogin(browser: Browser, scheme: Scheme): Promise<void> {
  const context = await newPhone(browser, scheme);
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByTestId("login")).toBeVisible();
  await shoot(page, scheme, "home");
  await page.goto("/auth/error?code=consent_denied");
  await expect(page.getByTestId("error-message")).toBeVisible();
  await shoot(page, scheme, "error");
  await page.goto("/auth/error?code=wechat_busy&errcode=-1");
  await expect(page.getByTestId("error-code")).toContainText("微信 -1");
  await shoot(page, scheme, "error-wechat");
  await page.goto("/auth/snapshot");
  await expect(page.getByTestId("snapshot-title")).toBeVisible();
  await shoot(page, scheme, "snapshot");
  await context.close();

  const safari = await newPhone(browser, scheme, SAFARI_USER_AGENT);
  const outside = await safari.newPage();
  await outside.goto("/auth/open-in-wechat?returnTo=/me");
  await expect(outside.getByTestId("qr").locator("svg")).toBeVisible();
  await shoot(outside, scheme, "open-in-wechat");
  await safari.close();
}

/** /me right after the silent login, before the person has granted the profile. */
async function silentPage(browser: Browser, scheme: Scheme): Promise<void> {
  const context = await newPhone(browser, scheme);
  const page = await context.newPage();
  const me = new MePage(page, APP_URL);
  await me.open();
  await expect(me.upgradeLink).toBeVisible();
  await shoot(page, scheme, "me-silent");
  await context.close();
}

/** /me with the profile, and what its 刷新微信资料 shows: loading toast, success toast, error dialog. */
async function profilePages(browser: Browser, scheme: Scheme, sim: SimClient): Promise<void> {
  const context = await newPhone(browser, scheme);
  const page = await context.newPage();
  const me = new MePage(page, APP_URL);
  await me.open();
  // The first pass grants the profile; the same person keeps it for the next.
  if (await me.upgradeLink.isVisible()) {
    await me.startUpgrade();
    await new SimulatorConsent(page, SIM_URL).allowAs("zhangsan");
    await me.waitForLoaded();
  }
  await expect(me.avatarImage).toBeVisible();
  await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete));
  await shoot(page, scheme, "me");

  // The loading toast: hold the request until it is on the screen.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/me/profile/refresh", async (route) => {
    await held;
    await route.continue();
  });
  await me.refreshProfile();
  await expect(page.getByRole("status").filter({ hasText: "正在更新" })).toBeVisible();
  await shoot(page, scheme, "me-refreshing");
  release();
  await expect(me.refreshStatus).toHaveText("资料已更新");
  await shoot(page, scheme, "me-refreshed");
  await page.unroute("**/api/me/profile/refresh");
  await expect(me.refreshStatus).toHaveCount(0);

  // An error the user has to read: WeChat stays busy through every retry.
  await sim.failNext(SIM_PATHS.userinfo, { kind: "busy" }, 10);
  await me.refreshProfile();
  await expect(page.getByTestId("refresh-error")).toBeVisible();
  await shoot(page, scheme, "me-refresh-error");
  await drainBusy();
  await context.close();
}

/** Uses up the busy answers the refresh's retries left over, so the next pass starts with a WeChat that works. */
async function drainBusy(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${SIM_URL}${SIM_PATHS.userinfo}?access_token=drain&openid=drain&lang=zh_CN`);
    const body = (await res.json().catch(() => ({}))) as { errcode?: number };
    if (body.errcode !== -1) return;
  }
}

async function main(): Promise<void> {
  checkCjkFont();
  mkdirSync(OUT_DIR, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "wcuc-shots-"));
  // next dev points next-env.d.ts (generated, not committed) at its distDir: put it back afterwards.
  const nextEnv = existsSync("next-env.d.ts") ? readFileSync("next-env.d.ts", "utf8") : undefined;
  let browser: Browser | undefined;
  try {
    log("starting the simulator and next dev ...");
    await startServers(`file:${join(work, "shots.db")}`);
    browser = await chromium.launch(CHROMIUM_LAUNCH);
    const sim = new SimClient(SIM_URL);
    await sim.reset();
    await sim.selectUser("zhangsan");
    for (const scheme of SCHEMES) await pagesWithoutLogin(browser, scheme);
    for (const scheme of SCHEMES) await silentPage(browser, scheme);
    for (const scheme of SCHEMES) await profilePages(browser, scheme, sim);
  } finally {
    await browser?.close();
    stopAll();
    if (nextEnv !== undefined) writeFileSync("next-env.d.ts", nextEnv);
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
