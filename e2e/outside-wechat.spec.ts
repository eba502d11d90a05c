// A desktop browser against an app that only serves WeChat's browser (WECHAT_BROWSER_ONLY=1).
import { expect, test } from "./fixtures";
import { APP_PORTS, E2E_ENCODING_AES_KEY, E2E_MESSAGE_TOKEN, SIM_URL, appUrl } from "./support/env";

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

test("扫码登录: the desktop shows a sign-in code, a persona scans it with WeChat, the desktop lands on /me as that person", async ({
  page,
  me,
  sim,
  openInWeChat,
  appOrigin,
}) => {
  await page.goto("/me");
  await openInWeChat.waitForPage();
  await page.getByTestId("qr-login-link").click();
  await expect(page.getByRole("heading", { name: "微信扫码登录" })).toBeVisible();
  await expect(page.getByTestId("qr-login-code")).toBeVisible();

  const code = (await sim.qrCodes()).find((c) => c.scene.startsWith("login_"));
  expect(code).toBeDefined();
  const persona = await sim.user("zhangsan");
  const scanned = await fetch(`${SIM_URL}/__sim/qrcode/scan`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      openid: persona.openid,
      ticket: code!.ticket,
      mode: "aes",
      target: `${appOrigin}/api/wechat/message`,
      token: E2E_MESSAGE_TOKEN,
      encodingAesKey: E2E_ENCODING_AES_KEY,
    }),
  });
  const report = (await scanned.json()) as { ok: boolean; reply: { fields: Record<string, string> } | null };
  expect(report.ok).toBe(true);
  expect(report.reply?.fields.Content).toBe("已在电脑上登录");

  await page.waitForURL(`${appOrigin}/me`);
  const signedIn = await me.api();
  expect(signedIn.status).toBe(200);
  expect(signedIn.user?.openid).toBe(persona.openid);
});

test("扫码登录: a code polled from another browser signs nobody in", async ({ page, browser, sim, appOrigin }) => {
  await page.goto("/login/qr");
  const id = await page.getByTestId("qr-login-code").getAttribute("data-id");
  const code = (await sim.qrCodes()).find((c) => c.scene.startsWith("login_"));
  const persona = await sim.user("zhangsan");
  await fetch(`${SIM_URL}/__sim/qrcode/scan`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      openid: persona.openid,
      ticket: code!.ticket,
      target: `${appOrigin}/api/wechat/message`,
      token: E2E_MESSAGE_TOKEN,
      encodingAesKey: E2E_ENCODING_AES_KEY,
    }),
  });
  const other = await browser.newContext({ baseURL: appOrigin });
  try {
    const polled = await other.request.get(`/api/auth/wechat/qr/${id}`);
    expect(polled.status()).toBe(404);
    expect((await other.request.get("/api/me")).status()).toBe(401);
  } finally {
    await other.close();
  }
  // The browser that asked is still the one signed in.
  await page.waitForURL(`${appOrigin}/me`);
});
