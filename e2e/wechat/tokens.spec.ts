// The stored web token over time. Only the simulator's clock moves: WeChat says the token expired
// while the app still thinks it valid, the case the app must handle anyway (clock skew, early expiry).
import { expect, test } from "../fixtures";
import { signInWithProfile } from "../flows";
import { SIM_PATHS } from "../sim";

const DAY = 24 * 3600;

test("after 7200 s the access_token is refreshed once and the profile updates", async ({ me, consent, sim }) => {
  await signInWithProfile({ me, consent, sim }, "zhangsan");
  await sim.advance(7300);

  await me.refreshProfile();

  await expect(me.refreshStatus).toHaveText("资料已更新");
  await expect(me.nickname).toHaveText("张三");
  expect(await sim.requests(SIM_PATHS.refreshToken)).toHaveLength(1);
  // login, the call WeChat refused (42001), the call with the refreshed token
  const userinfo = await sim.requests(SIM_PATHS.userinfo);
  expect(userinfo).toHaveLength(3);
  expect(userinfo[2]?.query.access_token).not.toBe(userinfo[1]?.query.access_token);
});

test("after 30 days the refresh_token is dead: refresh goes through consent again and back to /me", async ({
  page,
  me,
  consent,
  sim,
}) => {
  const personId = await signInWithProfile({ me, consent, sim }, "zhangsan");
  await sim.advance(30 * DAY + 3600);

  await me.refreshProfile();
  await consent.waitForPage();
  const [, reauthorize] = await sim.requests(SIM_PATHS.authorize);
  expect(reauthorize?.query.scope).toBe("snsapi_userinfo");
  await consent.allowAs("zhangsan");
  await me.waitForLoaded();

  await expect(me.nickname).toHaveText("张三");
  expect((await me.api()).user?.id).toBe(personId);
  expect(await sim.requests(SIM_PATHS.refreshToken)).toHaveLength(1);
  // The new grant works without asking again.
  await me.refreshProfile();
  await expect(me.refreshStatus).toHaveText("资料已更新");
  expect(new URL(page.url()).pathname).toBe("/me");
});
