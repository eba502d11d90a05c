// WeChat failing on the way: a refused code ends on our error page, a busy WeChat is retried.
import { expect, test } from "../fixtures";
import { CHINESE } from "../flows";
import { SIM_PATHS } from "../sim";

test("WeChat refusing the code (40029) shows the error page in Chinese with the errcode", async ({
  page,
  me,
  sim,
  errorPage,
}) => {
  await sim.failNext(SIM_PATHS.accessToken, { kind: "errcode", errcode: 40029 });

  await page.goto("/me");

  await errorPage.waitForPage();
  await expect(errorPage.message).toHaveText(CHINESE);
  await expect(errorPage.code).toContainText("微信 40029");
  // A code is single-use: it is not tried again.
  expect(await sim.requests(SIM_PATHS.accessToken)).toHaveLength(1);
  expect((await me.api()).status).toBe(401);

  // 重新登录 works once WeChat does.
  await errorPage.retryButton.click();
  await me.waitForLoaded();
});

test("a busy /sns/userinfo during consent login is retried and the login completes", async ({ me, consent, sim }) => {
  await me.open();
  await sim.failNext(SIM_PATHS.userinfo, { kind: "busy" });

  await me.startUpgrade();
  await consent.allowAs("zhangsan");
  await me.waitForLoaded();

  await expect(me.nickname).toHaveText("张三");
  await expect(me.upgradeLink).toHaveCount(0);
  expect(await sim.requests(SIM_PATHS.userinfo)).toHaveLength(2);
});
