// /admin/qrcodes end to end: an admin makes a channel QR code in the console, a persona scans it in the
// simulator (which pushes subscribe with qrscene_<scene> to the app as WeChat would), and the code's page
// counts the scan and the new follower; the user list filters by 来源二维码.
import { test as base, expect } from "../fixtures";
import { emptyTables } from "../support/database";
import { E2E_ENCODING_AES_KEY, E2E_MESSAGE_TOKEN, SIM_URL } from "../support/env";
import { StaffSignInPage, clearSignInAttempts, createStaffAccounts } from "./staff";

const test = base.extend<{ admin: StaffSignInPage }, { staffAccounts: void }>({
  staffAccounts: [
    async ({ databaseUrl }, provide) => {
      createStaffAccounts(databaseUrl);
      await provide();
    },
    { scope: "worker" },
  ],
  admin: async ({ page, appOrigin, databaseUrl, staffAccounts: _ }, provide) => {
    await clearSignInAttempts(databaseUrl);
    await emptyTables(databaseUrl, ["QrCode"]);
    const signIn = new StaffSignInPage(page, appOrigin);
    await signIn.signInAs("admin");
    await provide(signIn);
  },
});

test("make a QR code, a persona scans it in the simulator, the count moves", async ({
  page,
  admin: _,
  sim,
  appOrigin,
}) => {
  const scene = `poster-${Date.now().toString(36)}`;
  await page.goto("/admin/qrcodes");
  await expect(page.getByRole("heading", { name: "渠道二维码" })).toBeVisible();
  await page.getByTestId("qrcode-name").fill("地铁海报");
  await page.getByTestId("qrcode-scene").fill(scene);
  await page.getByTestId("qrcode-create").click();
  await expect(page.getByRole("heading", { name: "地铁海报" })).toBeVisible();
  await expect(page.getByTestId("qrcode-scans")).toHaveText("0");
  // The image is ours, drawn from the code's url.
  const svg = await page.request.get(
    `${page.url().replace(/\/admin\/qrcodes\/([^/?]+).*/, "/api/admin/qrcodes/$1")}/image?format=svg`,
  );
  expect(svg.headers()["content-type"]).toBe("image/svg+xml");

  const code = (await sim.qrCodes()).find((c) => c.scene === scene);
  expect(code).toBeDefined();
  const persona = await sim.user("zhangsan");
  await sim.unfollow(persona.openid);
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
  expect(((await scanned.json()) as { ok: boolean }).ok).toBe(true);

  await page.reload();
  await expect(page.getByTestId("qrcode-scans")).toHaveText("1");
  await expect(page.getByTestId("qrcode-new-followers")).toHaveText("1");

  // The person the push made is found by the list's 来源二维码 filter.
  // The push is applied just after WeChat's answer; the list shows the person once it has been.
  await page.getByRole("link", { name: "查看通过此二维码关注的用户 →" }).click();
  await expect(page).toHaveURL(new RegExp(`qrScene=${scene}`));
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("user-link")).toHaveCount(1, { timeout: 2_000 });
  }).toPass();
});

test("a scene already used is refused in Chinese", async ({ page, admin: _ }) => {
  const scene = `dup-${Date.now().toString(36)}`;
  for (let i = 0; i < 2; i++) {
    await page.goto("/admin/qrcodes");
    await page.getByTestId("qrcode-name").fill(`码 ${i}`);
    await page.getByTestId("qrcode-scene").fill(scene);
    await page.getByTestId("qrcode-create").click();
    if (i === 0) await expect(page.getByRole("heading", { name: "码 0" })).toBeVisible();
  }
  await expect(page.getByTestId("qrcode-error")).toHaveText("这个渠道标识已被另一个二维码使用，请换一个。");
});
