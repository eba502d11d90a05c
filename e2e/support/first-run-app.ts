// A production server of the suite's build on a database of its own, started by a test that needs the app
// as nobody has used it yet: no staff account, so the server logs the one-time setup link (/admin/setup)
// as an operator would read it. Also a database the test may break (to see the error pages), as no other
// test shares it. Stopped, with everything it started, by stop().
import { spawn } from "node:child_process";
import { expect } from "@playwright/test";
import { APP_PORTS, WORK_DIR, appEnv, appUrl } from "./env";

/** The port after this slot's three apps (3103 + 10n). */
const PORT = APP_PORTS.outside + 1;
export const FIRST_RUN_DATABASE_URL = `file:${WORK_DIR}/first-run.db`;

export interface FirstRunApp {
  readonly origin: string;
  /** The setup link the server logged at start (admin_setup_required). */
  readonly setupUrl: string;
  stop(): Promise<void>;
}

export async function startFirstRunApp(): Promise<FirstRunApp> {
  const origin = appUrl(PORT);
  // As playwright.config.ts starts the other apps: a fresh migrated database, then `next start` on the build.
  const child = spawn(
    "sh",
    ["-c", `node_modules/.bin/tsx e2e/support/prepare-app.ts && exec node_modules/.bin/next start -p ${PORT}`],
    { env: { ...process.env, ...appEnv(PORT, FIRST_RUN_DATABASE_URL) }, detached: true, stdio: "pipe" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  const setupUrl = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      for (const line of output.split("\n")) {
        if (!line.includes('"admin_setup_required"')) continue;
        resolve((JSON.parse(line) as { url: string }).url);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    void exited.then(() => reject(new Error(`the first-run app exited:\n${output}`)));
  });
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    await exited;
  };
  try {
    const url = await setupUrl;
    await expect
      .poll(async () => (await fetch(`${origin}/api/health`).catch(() => null))?.status, { timeout: 30_000 })
      .toBe(200);
    return { origin, setupUrl: url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
