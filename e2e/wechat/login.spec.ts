// Silent (snsapi_base) and consent (snsapi_userinfo) login as a WeChat user sees them.
import { expect, test } from "../fixtures";
import { MePage } from "../pages/me-page";
import { CHINESE, signInWithProfile } from "../flows";
import { SIM_PATHS } from "../sim";

test("silent login: /me signs 张三 in through WeChat without asking anything", async ({ page, me, sim, appOrigin }) => {
  const zhangsan = await sim.user("zhangsan");
  const hops: string[] = [];
  page.on("request", (request) => {
    if (!request.isNavigationRequest()) return;
    const url = new URL(request.url());
    hops.push(url.origin === appOrigin ? url.pathname : `WeChat ${url.pathname}`);
  });

  await me.open();

  await expect(me.openid).toHaveText(zhangsan.openid);
  await expect(me.nickname).toHaveText("微信用户");
  await expect(me.upgradeLink).toBeVisible();
  await expect(me.upgradeLink).toHaveText("完善资料");
  await expect(me.unionid).toHaveCount(0);
  await expect(me.defaultAvatar).toBeVisible();
  expect(hops).toEqual([
    "/me",
    "/api/auth/wechat/login",
    `WeChat ${SIM_PATHS.authorize}`,
    "/api/auth/wechat/callback",
    "/me",
  ]);
  const [authorize] = await sim.requests(SIM_PATHS.authorize);
  expect(authorize?.query.scope).toBe("snsapi_base");
  expect(await sim.requests(SIM_PATHS.accessToken)).toHaveLength(1);
  expect(await sim.requests(SIM_PATHS.userinfo)).toHaveLength(0);
});

test("consent login: 完善资料 upgrades the same person, emoji nickname byte for byte", async ({
  me,
  consent,
  sim,
  testDatabase,
}) => {
  const emoji = await sim.user("emoji");
  await sim.selectUser("emoji");
  await me.open();
  const before = await me.api();
  expect(before.status).toBe(200);
  expect(before.user?.scope).toBe("snsapi_base");

  await me.startUpgrade();
  await consent.allowAs("emoji");
  await me.waitForLoaded();

  expect(await me.nicknameText()).toBe(emoji.nickname);
  await expect(me.unionid).toHaveText(emoji.unionid ?? "(no unionid)");
  await expect(me.openid).toHaveText(emoji.openid);
  await expect(me.upgradeLink).toHaveCount(0);
  await expect(me.refreshButton).toBeVisible();
  await expect(me.avatarImage).toHaveAttribute("src", emoji.headimgurl);
  const after = await me.api();
  expect(after.user?.id).toBe(before.user?.id);
  expect(after.user?.nickname).toBe(emoji.nickname);
  expect(after.user?.scope).toBe("snsapi_userinfo");
  expect(await testDatabase.countUsers()).toBe(1);
});

test("consent login with a rare CJK nickname outside the BMP and no unionid", async ({ me, consent, sim }) => {
  const rare = await sim.user("rare");
  await signInWithProfile({ me, consent, sim }, "rare");

  expect(await me.nicknameText()).toBe(rare.nickname);
  expect((await me.api()).user?.nickname).toBe(rare.nickname);
  await expect(me.openid).toHaveText(rare.openid);
  await expect(me.unionid).toHaveCount(0);
});

test("consent login of a user without an avatar shows the default avatar", async ({ me, consent, sim }) => {
  const noavatar = await sim.user("noavatar");
  await signInWithProfile({ me, consent, sim }, "noavatar");

  expect(await me.nicknameText()).toBe(noavatar.nickname);
  await expect(me.defaultAvatar).toBeVisible();
  await expect(me.defaultAvatar).toHaveText("无");
  await expect(me.avatarImage).toHaveCount(0);
});

test("logout ends the session", async ({ page, me, appOrigin }) => {
  await me.open();
  expect((await me.api()).status).toBe(200);

  await me.logout();

  expect(page.url()).toBe(`${appOrigin}/`);
  expect((await me.api()).status).toBe(401);
  const cookies = await page.context().cookies();
  expect(cookies.map((c) => c.name)).not.toContain("wcuc_session");
});

test("logout revokes the session: a copy of the cookie taken before is refused", async ({ page, me }) => {
  await me.open();
  const copy = (await page.context().cookies()).find((c) => c.name === "wcuc_session");
  expect(copy).toBeDefined();
  await me.logout();
  await page.context().addCookies([copy!]);
  expect((await me.api()).status).toBe(401);
});

test("退出所有设备 ends the session in every browser of the person", async ({ page, me, browser, appOrigin }) => {
  await me.open();
  // The same person in a second browser (the simulator logs 张三 in silently there too).
  const other = await browser.newContext({
    baseURL: appOrigin,
    userAgent: await page.evaluate(() => navigator.userAgent),
  });
  const otherMe = new MePage(await other.newPage(), appOrigin);
  await otherMe.open();
  expect((await otherMe.api()).status).toBe(200);

  await me.logoutEverywhere();

  expect((await me.api()).status).toBe(401);
  expect((await otherMe.api()).status).toBe(401);
  await other.close();
});

test("a snapshot-page visitor gets the snapshot page and is not signed in", async ({
  page,
  me,
  sim,
  snapshotPage,
  testDatabase,
}) => {
  await sim.selectUser("snapshot");
  await page.goto("/me");

  await snapshotPage.waitForPage();
  await expect(snapshotPage.title).toHaveText("当前为快照页面");
  expect((await me.api()).status).toBe(401);
  expect(await testDatabase.countUsers()).toBe(0);
});

test("denying consent without a session ends on the error page", async ({ page, me, consent, errorPage }) => {
  await page.goto("/api/auth/wechat/login?scope=snsapi_userinfo&returnTo=/me");
  await consent.deny();

  await errorPage.waitForPage();
  await expect(errorPage.code).toContainText("consent_denied");
  await expect(errorPage.message).toHaveText(CHINESE);
  expect((await me.api()).status).toBe(401);
});

test("denying consent while signed in silently goes back to /me, still signed in", async ({ me, consent, sim }) => {
  const zhangsan = await sim.user("zhangsan");
  await me.open();
  const before = await me.api();

  await me.startUpgrade();
  await consent.deny();
  await me.waitForLoaded();

  await expect(me.openid).toHaveText(zhangsan.openid);
  await expect(me.nickname).toHaveText("微信用户");
  await expect(me.upgradeLink).toBeVisible();
  const after = await me.api();
  expect(after.status).toBe(200);
  expect(after.user?.id).toBe(before.user?.id);
  expect(await sim.requests(SIM_PATHS.accessToken)).toHaveLength(1);
});
