// A desktop browser against an app that only serves WeChat's browser (WECHAT_BROWSER_ONLY=1).
import { expect, test } from "./fixtures";
import { APP_PORTS, appUrl } from "./support/env";

test("outside WeChat, /me shows 请在微信中打开 with a QR code and the link", async ({
  page,
  me,
  sim,
  openInWeChat,
  appOrigin,
}) => {
  expect(await page.evaluate(() => navigator.userAgent)).not.toContain("MicroMessenger");

  await page.goto("/me");

  await openInWeChat.waitForPage();
  await expect(openInWeChat.heading).toHaveText("请在微信中打开");
  await expect(openInWeChat.qrSvg).toBeVisible();
  await expect(openInWeChat.link).toHaveText(`${appOrigin}/me`);
  expect(appOrigin).toBe(appUrl(APP_PORTS.outside));
  // The browser was never sent to WeChat, and nobody is signed in.
  expect(await sim.requests()).toHaveLength(0);
  expect((await me.api()).status).toBe(401);
});
