// `npm run screenshots:console`: screenshots of every admin console page at 1280x800 (desktop) and
// 390x844 (phone) into docs/screenshots/console/, for the README and for reviewing the look by eye.
//
// Self-contained: starts its own simulator (:4400) and `next dev` (:3400, dist .next-console-shots) on a
// fresh temporary SQLite database (migrated with `npm run db:migrate`), makes an admin with `npm run
// admin:create`, lets the simulator have 1,005 followers and syncs them, then visits each page. Ports
// and paths do not collide with `npm run dev` (3000/4010), the e2e suite (3100+/4100+) or the benchmarks.
// Uses Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) with the e2e suite's flags.
//
//   npm run screenshots:console                              # every page, both widths
//   npm run screenshots:console -- --only dashboard,menu     # some pages (names as in docs/screenshots/console)
//   SCREENSHOTS_SLOT=2 npm run screenshots:console           # ports +10n and its own dist folder, beside another run
//   npm run screenshots:console -- --only none --keep        # no shots: leave the app running to look around
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "@playwright/test";
import { CHROMIUM_LAUNCH } from "../e2e/support/chromium";

const SLOT = Number(process.env.SCREENSHOTS_SLOT ?? "0");
if (!Number.isInteger(SLOT) || SLOT < 0 || SLOT > 8) throw new Error("SCREENSHOTS_SLOT must be an integer 0..8");
const SIM_PORT = 4400 + SLOT * 10;
const APP_PORT = 3400 + SLOT * 10;
const DIST_DIR = SLOT === 0 ? ".next-console-shots" : `.next-console-shots-${SLOT}`;
const onlyAt = process.argv.indexOf("--only");
const ONLY = onlyAt > 0 ? new Set((process.argv[onlyAt + 1] ?? "").split(",").filter(Boolean)) : null;
const KEEP = process.argv.includes("--keep");
const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
const APP_URL = `http://localhost:${APP_PORT}`;
const OUT = path.resolve("docs/screenshots/console");
const ADMIN = { email: "admin@example.com", password: "Screenshots-Admin-Password-1" };

const VIEWPORTS = {
  desktop: { width: 1280, height: 800, isMobile: false },
  phone: { width: 390, height: 844, isMobile: true },
} as const;

const log = (message: string) => process.stderr.write(`[screenshots] ${message}\n`);

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let tail = "";
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("exit", (code) => {
    if (code && code !== 0) log(`${name} exited with ${code}:\n${tail}`);
  });
  return child;
}

function stop(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM"); // the whole group: next dev starts workers
  } catch {
    // already gone
  }
}

/** What the pages show beyond the synced followers: ids of a QR code and of a mass send made for them. */
interface Made {
  firstUserId?: string;
  qrCodeId?: string;
  messageJobId?: string;
}

/** Every console page, by file name; `ready` is waited for before the shot. */
function pages(made: Made) {
  const all = [
    { name: "dashboard", path: "/admin", ready: '[data-testid="chart-scopes"] svg' },
    { name: "users", path: "/admin/users", ready: '[data-testid="user-row"]' },
    ...(made.firstUserId ? [{ name: "user", path: `/admin/users/${made.firstUserId}` }] : []),
    { name: "followers", path: "/admin/followers" },
    { name: "tags", path: "/admin/tags" },
    { name: "blacklist", path: "/admin/blacklist" },
    { name: "auto-replies", path: "/admin/auto-replies" },
    { name: "menu", path: "/admin/menu" },
    { name: "qrcodes", path: "/admin/qrcodes" },
    ...(made.qrCodeId ? [{ name: "qrcode", path: `/admin/qrcodes/${made.qrCodeId}` }] : []),
    { name: "templates", path: "/admin/templates" },
    { name: "messages", path: "/admin/messages" },
    { name: "message-new", path: "/admin/messages/new" },
    ...(made.messageJobId ? [{ name: "message", path: `/admin/messages/${made.messageJobId}` }] : []),
    { name: "not-found", path: "/admin/no-such-page" },
  ];
  return ONLY ? all.filter((p) => ONLY.has(p.name)) : all;
}

async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
  // Web fonts, images and charts settle before the shot.
  await page.waitForLoadState("networkidle").catch(() => {});
  // next dev's badge in the corner is not part of the console.
  await page.addStyleTag({ content: "nextjs-portal { display: none !important; }" }).catch(() => {});
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  log(`wrote ${path.relative(process.cwd(), file)}`);
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${APP_URL}/admin/signin`);
  await page.getByLabel("邮箱").fill(ADMIN.email);
  await page.getByLabel("密码").fill(ADMIN.password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL((url) => url.pathname === "/admin");
}

async function run(browser: Browser, made: Made): Promise<void> {
  for (const [viewport, size] of Object.entries(VIEWPORTS)) {
    const context = await browser.newContext({
      viewport: { width: size.width, height: size.height },
      isMobile: size.isMobile,
      hasTouch: size.isMobile,
      deviceScaleFactor: 1,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
    });
    // `next dev` compiles each page on its first visit: minutes on a busy machine.
    context.setDefaultTimeout(180_000);
    const page = await context.newPage();
    await page.goto(`${APP_URL}/admin/signin`);
    if (!ONLY || ONLY.has("signin")) await shoot(page, `signin-${viewport}`);
    await signIn(page);
    for (const target of pages(made)) {
      await page.goto(`${APP_URL}${target.path}`);
      if (target.ready) await page.locator(target.ready).first().waitFor({ timeout: 30_000 });
      await shoot(page, `${target.name}-${viewport}`);
    }
    if (viewport === "phone" && (!ONLY || ONLY.has("menu-drawer"))) {
      await page.goto(`${APP_URL}/admin/users`);
      await page.getByTestId("nav-drawer-open").click();
      await page.getByTestId("nav-drawer").getByRole("link", { name: "自动回复" }).waitFor();
      await shoot(page, "menu-drawer-phone", false);
    }
    await context.close();
  }
}

/** A QR code, the simulator's templates and a mass send of one of them, as an operator would make them. */
async function makeContent(page: Page): Promise<Made> {
  const post = (path: string, body?: unknown) =>
    page.request.post(`${APP_URL}${path}`, { headers: { origin: APP_URL }, ...(body ? { data: body } : {}) });
  const list = (await (await page.request.get(`${APP_URL}/api/admin/users?limit=1`)).json()) as {
    users?: { id: string }[];
  };
  const qr = (await (
    await post("/api/admin/qrcodes", { name: "地铁海报", scene: "metro-2026", action_name: "QR_LIMIT_STR_SCENE" })
  ).json()) as { qrCode?: { id: string } };
  log(`templates refreshed: ${(await post("/api/admin/templates/refresh")).status()}`);
  const templates = (await (await page.request.get(`${APP_URL}/api/admin/templates`)).json()) as {
    templates?: { templateId: string; title: string; example: string; fields: { key: string; label: string }[] }[];
  };
  const template = templates.templates?.find((t) => t.title === "订单发货通知") ?? templates.templates?.[0];
  let messageJobId: string | undefined;
  if (template) {
    // The template's own example values ("商品名称：挂耳咖啡 20 包"), which pass WeChat's checks.
    const example = (label: string) =>
      template.example
        .split("\n")
        .find((line) => line.startsWith(`${label}：`))
        ?.slice(label.length + 1) ?? "示例";
    const data = Object.fromEntries(template.fields.map((f) => [f.key, { value: example(f.label) }]));
    const answer = await post("/api/admin/message-jobs", {
      templateId: template.templateId,
      data,
      recipients: { type: "query", query: "subscribed=yes" },
    });
    const job = (await answer.json()) as { job?: { id: string } };
    messageJobId = job.job?.id;
    if (!messageJobId) log(`mass send refused: ${answer.status()} ${JSON.stringify(job)}`);
  }
  log(`made: qr code ${qr.qrCode?.id ?? "none"}, mass send ${messageJobId ?? "none"}`);
  return { firstUserId: list.users?.[0]?.id, qrCodeId: qr.qrCode?.id, messageJobId };
}

/** `next dev` with its own distDir adds that folder's type globs to tsconfig.json: put the file back. */
async function keepingTsconfig(run: () => Promise<void>): Promise<void> {
  const tsconfig = await readFile("tsconfig.json", "utf8");
  try {
    await run();
  } finally {
    await writeFile("tsconfig.json", tsconfig);
  }
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const dir = await mkdtemp(path.join(os.tmpdir(), "wcuc-shots-"));
  const databaseUrl = `file:${dir}/console.db`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "development",
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
    DATABASE_URL: databaseUrl,
    APP_URL,
    PORT: String(APP_PORT),
    SESSION_SECRET: "screenshots-session-secret-7Qm2Lx9Vb4Nc8Rt1",
    TOKEN_ENCRYPTION_KEY: "screenshots-token-key-Jf5Ys8Ug2Ea7Ko4Ti9Bn1",
    AUTH_SECRET: "screenshots-staff-auth-secret-Rw3Hq8Nd5Zt2",
    WECHAT_APP_ID: "wx5e1f0c0de0000001",
    WECHAT_APP_SECRET: "simsecret0123456789abcdef01234567",
    WECHAT_OAUTH_BASE: SIM_URL,
    WECHAT_API_BASE: SIM_URL,
    SIM_PORT: String(SIM_PORT),
  };
  let simulator: ChildProcess | undefined;
  let app: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    log(`database ${databaseUrl}`);
    execFileSync("npm", ["run", "db:migrate", "--silent"], { env, stdio: "inherit" });
    execFileSync("npm", ["run", "admin:create", "--silent", "--", "--email", ADMIN.email, "--role", "admin"], {
      env: { ...env, ADMIN_PASSWORD: ADMIN.password },
      stdio: "inherit",
    });
    simulator = start("simulator", "node_modules/.bin/tsx", ["simulator/cli.ts"], env);
    app = start("app", "node_modules/.bin/next", ["dev", "-p", String(APP_PORT)], env);
    await waitFor(`${SIM_URL}/__sim/health`, 30_000);
    await waitFor(`${APP_URL}/api/health`, 180_000);
    // As many followers as the walkthrough, synced the way an operator would.
    await fetch(`${SIM_URL}/__sim/followers/configure`, { method: "POST", body: JSON.stringify({ count: 1005 }) });

    browser = await chromium.launch(CHROMIUM_LAUNCH);
    const syncer = await browser.newPage();
    syncer.setDefaultTimeout(180_000);
    await signIn(syncer);
    const started = await syncer.request.post(`${APP_URL}/api/admin/followers/sync`, { headers: { origin: APP_URL } });
    log(`follower sync: ${started.status()}`);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const state = (await (await syncer.request.get(`${APP_URL}/api/admin/followers/sync`)).json()) as {
        followers?: { status?: string };
      };
      if (state.followers?.status === "done" || state.followers?.status === "failed") break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const made = await makeContent(syncer);
    await syncer.close();
    await run(browser, made);
    if (KEEP) {
      log(`running until interrupted: ${APP_URL}/admin (${ADMIN.email} / ${ADMIN.password}), simulator ${SIM_URL}`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
    }
  } finally {
    await browser?.close();
    stop(app);
    stop(simulator);
    await rm(dir, { recursive: true, force: true });
  }
}

await keepingTsconfig(main);
