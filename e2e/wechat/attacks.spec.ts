// What an attacker can do with callback links and returnTo, and what they get: nothing.
import type { Browser } from "@playwright/test";
import { expect, test } from "../fixtures";
import { SIM_PATHS } from "../sim";
import { SIM_URL, WECHAT_PHONE } from "../support/env";
import { SimulatorConsent } from "../pages/simulator-consent";

const CALLBACK = "/api/auth/wechat/callback";

test("a replayed callback lands on /me signed in, without a second code exchange", async ({
  page,
  me,
  appOrigin,
  sim,
}) => {
  const callback = page.waitForRequest((r) => r.url().startsWith(`${appOrigin}${CALLBACK}?`));
  await me.open();
  const callbackUrl = (await callback).url();
  expect(new URL(callbackUrl).searchParams.get("code")).toBeTruthy();
  const personId = (await me.api()).user?.id;

  await page.goto(callbackUrl);
  await me.waitForLoaded();

  expect((await me.api()).user?.id).toBe(personId);
  expect(await sim.requests(SIM_PATHS.accessToken)).toHaveLength(1);
});

test("a forged state is refused before any code exchange", async ({ page, me, errorPage, sim }) => {
  await page.goto(`${CALLBACK}?code=x&state=ForgedState123`);

  await errorPage.waitForPage();
  await expect(errorPage.code).toContainText("state_invalid");
  expect(await sim.requests(SIM_PATHS.accessToken)).toHaveLength(0);
  expect((await me.api()).status).toBe(401);
});

/**
 * The attacker's own browser: starts a consent login as 李四 and lets WeChat mint a real code, but
 * never follows WeChat's redirect to our callback. Returns that callback link (a live state and an
 * unused code).
 */
async function attackersCallbackLink(browser: Browser, appOrigin: string): Promise<string> {
  const attacker = await browser.newContext({ ...WECHAT_PHONE, baseURL: appOrigin });
  try {
    const attackerPage = await attacker.newPage();
    let link = "";
    await attackerPage.route(`${SIM_URL}/connect/oauth2/authorize/confirm`, async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      link = response.headers()["location"] ?? "";
      await route.fulfill({ status: 200, contentType: "text/plain", body: "stopped before the callback" });
    });
    await attackerPage.goto("/api/auth/wechat/login?scope=snsapi_userinfo&returnTo=/me");
    await new SimulatorConsent(attackerPage, new URL(SIM_URL).origin).allowAs("lisi");
    await expect(attackerPage.getByText("stopped before the callback")).toBeVisible();
    expect(link.startsWith(`${appOrigin}${CALLBACK}?`)).toBe(true);
    return link;
  } finally {
    await attacker.close();
  }
}

test("a real callback link from another browser is refused in a browser with its own login", async ({
  browser,
  page,
  me,
  errorPage,
  sim,
  appOrigin,
}) => {
  await me.open();
  const victim = await me.api();
  const link = await attackersCallbackLink(browser, appOrigin);
  await sim.clearRequests();

  await page.goto(link);

  await errorPage.waitForPage();
  await expect(errorPage.code).toContainText("state_invalid");
  expect(await sim.requests(SIM_PATHS.accessToken)).toHaveLength(0);
  expect((await me.api()).user?.id).toBe(victim.user?.id);
});

test("a real callback link opened in a fresh browser starts over and never signs in as its owner", async ({
  browser,
  page,
  me,
  consent,
  sim,
  appOrigin,
}) => {
  const zhangsan = await sim.user("zhangsan");
  const link = await attackersCallbackLink(browser, appOrigin);
  const attackersCode = new URL(link).searchParams.get("code");
  await sim.clearRequests();

  // No login cookie: the app starts the same kind of login over, so WeChat asks this browser's user.
  await page.goto(link);
  await consent.allowAs("zhangsan");
  await me.waitForLoaded();

  // WeChat's browser in this page is 张三: he is signed in as himself, with a code of his own.
  await expect(me.openid).toHaveText(zhangsan.openid);
  expect(await me.nicknameText()).toBe("张三");
  const exchanged = await sim.requests(SIM_PATHS.accessToken);
  expect(exchanged).toHaveLength(1);
  expect(exchanged[0]?.query.code).not.toBe(attackersCode);
});

// returnTo as it appears in the query string.
const EVIL_RETURN_TO = [
  "//evil.example",
  "/%5Cevil.example",
  "https://evil.example",
  "%2F%2Fevil.example",
  "/%255Cevil.example",
  "/%09/evil.example",
];

for (const returnTo of EVIL_RETURN_TO) {
  test(`open redirect: returnTo=${returnTo} lands on our own /`, async ({ page, me, appOrigin }) => {
    const hosts = new Set<string>();
    page.on("request", (r) => hosts.add(new URL(r.url()).hostname));

    await page.goto(`/api/auth/wechat/login?scope=snsapi_base&returnTo=${returnTo}`);
    await page.waitForURL((url) => url.pathname === "/");

    expect(new URL(page.url()).origin).toBe(appOrigin);
    expect(new URL(page.url()).pathname).toBe("/");
    expect([...hosts]).not.toContain("evil.example");
    expect((await me.api()).status).toBe(200);
  });
}
