// Debian's Chromium as every browser run here launches it: Playwright's own download cannot reach this
// network, and without the background-networking flags Chromium floods the closed network with retries.
// Used by playwright.config.ts and the screenshot scripts (e2e/screenshots/h5.ts, scripts/screenshots-console.ts).
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};
