// Template messages end to end, on both databases: the simulator plays WeChat (templates, the value rules,
// the TEMPLATESENDJOBFINISH report pushed to the app's endpoint), a production build answers. Send to one
// person from their page and see it delivered; the 48-hour reply box; a mass send to a tag whose progress
// bar reaches the end with every report applied. What was sent to a person is on their timeline, with the
// pushes.
import type { Page } from "@playwright/test";
import { expect, test } from "../fixtures";
import { emptyTables } from "../support/database";
import { E2E_ENCODING_AES_KEY, E2E_MESSAGE_TOKEN, SIM_URL } from "../support/env";
import { createStaffAccounts, signInAdmin, simFollowers, syncFollowers } from "../followers/support";
import { push, userIdOf } from "./support";

test.beforeAll(({ databaseUrl }) => createStaffAccounts(databaseUrl));

let admin: Page | undefined;
test.beforeEach(async ({ databaseUrl, appOrigin, sim }) => {
  await emptyTables(databaseUrl, [
    "OutboundMessage",
    "MessageTemplate",
    "MessageJob",
    "UserTag",
    "Tag",
    "SyncRun",
    "Lease",
  ]);
  await sim.reset();
  // Delivery reports are pushes WeChat makes by itself: to this project's app, signed with its Token and key.
  const target = await fetch(`${SIM_URL}/__sim/push/target`, {
    method: "POST",
    body: JSON.stringify({
      target: `${appOrigin}/api/wechat/message`,
      token: E2E_MESSAGE_TOKEN,
      encodingAesKey: E2E_ENCODING_AES_KEY,
    }),
  });
  expect(target.status).toBe(200);
});
test.afterEach(async () => {
  await admin?.context().close();
  admin = undefined;
});

async function refreshTemplates(page: Page): Promise<void> {
  await page.goto("/admin/templates");
  await page.getByTestId("template-refresh").click();
  await expect(page.getByTestId("template")).toHaveCount(4);
}

test("send a template message to one person, see it delivered; reply in the 48-hour window", async ({
  browser,
  appOrigin,
  databaseUrl,
  sim,
}) => {
  admin = await signInAdmin(browser, appOrigin);
  await refreshTemplates(admin);
  await expect(
    admin.getByTestId("template").filter({ hasText: "订单发货通知" }).getByTestId("template-field"),
  ).toHaveCount(4);

  // The person follows (a push the app records): they are known, and their 48-hour window opens.
  const persona = await sim.user("zhangsan");
  expect((await push(appOrigin, { type: "subscribe", openid: persona.openid, mode: "aes" })).ok).toBe(true);
  await expect.poll(() => userIdOf(databaseUrl, persona.openid)).not.toBeNull();
  const userId = (await userIdOf(databaseUrl, persona.openid))!;
  await admin.goto(`/admin/users/${userId}`);

  const form = admin.getByTestId("send-template");
  await form.getByTestId("send-template-id").selectOption({ label: "订单发货通知" });
  await form.getByTestId("send-field-character_string1").fill("SO20261204001");
  await form.getByTestId("send-field-thing2").fill("一二三四五六七八九十一二三四五六七八九十多");
  await form.getByTestId("send-field-thing3").fill("顺丰速运");
  await form.getByTestId("send-field-thing3").blur();
  // WeChat's rule, said next to the field before anything is sent.
  await expect(form.getByTestId("send-field-error-thing2")).toHaveText("须为1–20 个字");
  await expect(form.getByTestId("template-preview")).toContainText("顺丰速运");
  // Sending now sends nothing: every field's problem shows, and the button says why it did not go.
  await form.getByTestId("send-template-submit").click();
  await expect(form.getByTestId("send-notice")).toHaveText("请先改正上面标红的内容。");
  await expect(form.getByTestId("send-field-error-time4")).toHaveText("请填写。");
  await form.getByTestId("send-field-thing2").fill("挂耳咖啡 20 包");
  await form.getByTestId("send-field-time4").fill("2026年12月4日 15:01");
  // It opens a mini program: the AppID checked as typed, the preview's foot saying so once it is right.
  await form.getByTestId("send-miniprogram-toggle").click();
  await form.getByTestId("send-miniprogram-appid").fill("wx123");
  await form.getByTestId("send-miniprogram-pagepath").fill("pages/order/detail?id=SO20261204001");
  await expect(form.getByTestId("send-miniprogram-error-appid")).toHaveText("小程序 AppID 须为 wx 开头的 18 位。");
  await expect(form.getByTestId("template-preview-miniprogram")).toHaveCount(0);
  await form.getByTestId("send-miniprogram-appid").fill("wx1234567890abcdef");
  await expect(form.getByTestId("send-miniprogram-error-appid")).toHaveCount(0);
  await expect(form.getByTestId("template-preview-miniprogram")).toHaveText("进入小程序查看›");
  await form.getByTestId("send-template-submit").click();
  await expect(form.getByTestId("send-notice")).toHaveText("已发送，等待微信回执。");
  const sends = (await (await fetch(`${SIM_URL}/__sim/template/sends`)).json()) as {
    recent: { touser: string; miniprogram: unknown }[];
  };
  expect(sends.recent.at(-1)).toMatchObject({
    touser: persona.openid,
    miniprogram: { appid: "wx1234567890abcdef", pagepath: "pages/order/detail?id=SO20261204001" },
  });

  // WeChat's report comes by push a moment later; the page shows it once applied.
  const sent = admin.getByTestId("sent-message").first();
  await expect(async () => {
    await admin!.reload();
    await expect(sent).toHaveAttribute("data-status", "delivered", { timeout: 1_000 });
  }).toPass();
  await expect(sent.getByTestId("sent-status")).toHaveText("已送达");

  // The follow opened the window: a reply goes, and joins what was sent.
  const reply = admin.getByTestId("reply-box");
  await expect(reply).toHaveAttribute("data-open", "true");
  await expect(reply.getByTestId("reply-window")).toContainText("可以回复至");
  await reply.getByTestId("reply-text").fill("您好，您的咖啡已发货。");
  await reply.getByTestId("reply-submit").click();
  await expect(reply.getByTestId("reply-notice")).toHaveText("已回复。");
  await expect(admin.getByTestId("sent-message").first().getByTestId("sent-detail")).toHaveText(
    "您好，您的咖啡已发货。",
  );
  // One timeline, newest first: the reply, the template message (delivered), then the follow that began it.
  const timeline = admin.getByTestId("timeline").locator("li");
  await expect(timeline).toHaveCount(3);
  expect(await timeline.evaluateAll((items) => items.map((li) => li.getAttribute("data-testid")))).toEqual([
    "sent-message",
    "sent-message",
    "timeline-entry",
  ]);
  await expect(timeline.nth(1).getByTestId("sent-detail")).toHaveText("订单发货通知");
  await expect(timeline.nth(1)).toHaveAttribute("data-status", "delivered");
  await expect(timeline.nth(2).getByTestId("timeline-label")).toHaveText("关注");
});

test("the reply box is closed for someone who has not written in 48 hours", async ({
  browser,
  appOrigin,
  databaseUrl,
  sim,
}) => {
  admin = await signInAdmin(browser, appOrigin);
  const persona = await sim.user("lisi");
  // Their last event, by WeChat's CreateTime, 49 hours ago (the app's clock is the real one).
  const createTime = Math.floor(Date.now() / 1000) - 49 * 3600;
  expect((await push(appOrigin, { type: "subscribe", openid: persona.openid, mode: "aes", createTime })).ok).toBe(true);
  await expect.poll(() => userIdOf(databaseUrl, persona.openid)).not.toBeNull();
  await admin.goto(`/admin/users/${(await userIdOf(databaseUrl, persona.openid))!}`);
  const reply = admin.getByTestId("reply-box");
  await expect(reply).toHaveAttribute("data-open", "false");
  await expect(reply.getByTestId("reply-window")).toContainText("已超过 48 小时");
  await expect(reply.getByTestId("reply-text")).toBeDisabled();
  await expect(reply.getByTestId("reply-submit")).toBeDisabled();
});

test("a mass send to a tag: the count first, then the progress bar reaches the end", async ({ browser, appOrigin }) => {
  test.setTimeout(90_000);
  await simFollowers.configure({ count: 150, fixtures: false });
  admin = await signInAdmin(browser, appOrigin);
  await admin.goto("/admin/followers");
  await syncFollowers(admin);
  const origin = { origin: appOrigin };
  const tag = await admin.request.post("/api/admin/tags", { data: { name: "双十二" }, headers: origin });
  expect(tag.status()).toBe(201);
  const tagId = ((await tag.json()) as { tag: { id: number } }).tag.id;
  const list = await admin.request.get("/api/admin/users?limit=200&subscribed=yes");
  const ids = ((await list.json()) as { users: { id: string }[] }).users.map((u) => u.id);
  expect(ids).toHaveLength(150);
  const tagged = await admin.request.post(`/api/admin/tags/${tagId}/members`, {
    data: { userIds: ids.slice(0, 120), action: "add" },
    headers: origin,
  });
  expect(tagged.status()).toBe(200);
  await refreshTemplates(admin);

  await admin.goto("/admin/messages");
  await admin.getByTestId("message-job-new").click();
  const form = admin.getByTestId("mass-send");
  await form.getByTestId("send-template-id").selectOption({ label: "支付成功通知" });
  await form.getByTestId("send-field-character_string1").fill("DOUBLE12");
  await form.getByTestId("send-field-amount2").fill("¥12.12");
  await form.getByTestId("send-field-time3").fill("2026-12-12 00:00");
  await form.getByTestId("recipients-tag-id").selectOption(String(tagId));
  await expect(form.getByTestId("recipients-count")).toHaveText(
    "共 120 人：将发送 120 人；已取消关注 0 人、黑名单 0 人不发送。",
  );
  // A mass send asks first, in the console's own dialog: cancelling sends nothing.
  await form.getByTestId("mass-send-start").click();
  const confirm = admin.getByRole("dialog");
  await expect(confirm).toContainText("确定给 120 人群发这条模板消息？");
  await confirm.getByRole("button", { name: /^取\s?消$/ }).click();
  await expect(confirm).toBeHidden();
  await expect(admin).toHaveURL(/\/admin\/messages\/new/);
  await form.getByTestId("mass-send-start").click();
  await admin.getByTestId("mass-send-confirm").click();

  const job = admin.getByTestId("message-job");
  await expect(job).toBeVisible();
  await expect(job.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100", { timeout: 60_000 });
  await expect(job).toHaveAttribute("data-state", "done");
  // Every report arrives and is applied once: all delivered, none still only "sent".
  await expect(job.getByTestId("count-delivered")).toHaveText("120", { timeout: 30_000 });
  await expect(job.getByTestId("count-sent")).toHaveText("0");
  await expect(job.getByTestId("count-total")).toHaveText("120");
  const sends = (await (await fetch(`${SIM_URL}/__sim/template/sends`)).json()) as {
    total: number;
    maxPerOpenid: number;
  };
  expect(sends).toMatchObject({ total: 120, maxPerOpenid: 1 });
});
