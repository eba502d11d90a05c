// The message endpoint end to end: the simulator plays WeChat's servers (signed, encrypted pushes, the
// reply checked and decrypted), a production build of the app answers, and staff see the result in the
// console: a subscribe makes the person with their subscription and timeline; an auto-reply edited in
// the console is what WeChat gets back.
import type { Locator, Page } from "@playwright/test";
import { test as base, expect } from "../fixtures";
import { StaffSignInPage, clearSignInAttempts, createStaffAccounts } from "../admin/staff";
import { clearAutoReplies, push, uniqueOpenid, userIdOf } from "./support";

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
    await clearAutoReplies(databaseUrl);
    const signIn = new StaffSignInPage(page, appOrigin);
    await signIn.signInAs("admin");
    await provide(signIn);
  },
});

/** /admin/auto-replies: the rules in a table, a new rule's form under it, a rule edited in a dialog. */
class AutoRepliesPage {
  readonly rules: Locator;
  readonly newRule: Locator;
  readonly editor: Locator;
  constructor(readonly page: Page) {
    this.rules = page.getByTestId("auto-reply-rule");
    this.newRule = page.getByTestId("auto-reply-new");
    this.editor = page.getByRole("dialog").filter({ has: page.getByTestId("auto-reply-editor") });
  }
  async open(): Promise<void> {
    await this.page.goto("/admin/auto-replies");
    await expect(this.page.getByRole("heading", { name: "自动回复" })).toBeVisible();
  }
  /** Picks the option `label` of a radio group of `form` (antd draws the radio over a hidden input). */
  async choose(form: Locator, label: string): Promise<void> {
    await form.getByText(label, { exact: true }).click();
    await expect(form.getByRole("radio", { name: label, exact: true })).toBeChecked();
  }
  /** The form's field `label` (the new rule's, or the dialog's). */
  field(form: Locator, label: "关键词" | "回复内容"): Locator {
    return form.getByLabel(label, { exact: true });
  }
  async add(rule: { kind: "subscribe" | "keyword"; keyword?: string; match?: "exact" | "contains"; reply: string }) {
    const count = await this.rules.count();
    await this.choose(this.newRule, rule.kind === "subscribe" ? "关注后回复" : "关键词回复");
    if (rule.kind === "keyword") {
      await this.field(this.newRule, "关键词").fill(rule.keyword ?? "");
      await this.choose(this.newRule, rule.match === "contains" ? "包含" : "完全匹配");
    }
    await this.field(this.newRule, "回复内容").fill(rule.reply);
    const created = this.page.waitForResponse(
      (r) => r.url().endsWith("/api/admin/auto-replies") && r.request().method() === "POST",
    );
    await this.newRule.getByTestId("auto-reply-create").click();
    expect((await created).status()).toBe(201);
    await expect(this.rules).toHaveCount(count + 1);
  }
  rule(kind: "subscribe" | "keyword", keyword = ""): Locator {
    return this.page.locator(`[data-testid="auto-reply-rule"][data-kind="${kind}"][data-keyword="${keyword}"]`);
  }
  async edit(rule: Locator, reply: string): Promise<void> {
    await rule.getByTestId("auto-reply-edit").click();
    await this.field(this.editor, "回复内容").fill(reply);
    const saved = this.page.waitForResponse(
      (r) => r.url().includes("/api/admin/auto-replies/") && r.request().method() === "PUT",
    );
    await this.editor.getByTestId("auto-reply-save").click();
    expect((await saved).status()).toBe(200);
    await expect(this.editor).toBeHidden();
    await expect(rule.getByTestId("auto-reply-reply")).toHaveText(reply);
    await expect(this.page.getByTestId("auto-reply-error")).toHaveCount(0);
  }
}

test("a subscribe pushed by WeChat: the person, their subscription and timeline on their admin page", async ({
  admin,
  appOrigin,
  databaseUrl,
}) => {
  const openid = uniqueOpenid("o_e2e_sub");
  const now = Math.floor(Date.now() / 1000);
  const subscribed = await push(appOrigin, {
    type: "subscribe",
    openid,
    eventKey: "qrscene_e2e_poster",
    mode: "aes",
    createTime: now,
  });
  expect(subscribed).toMatchObject({
    ok: true,
    replyCheck: "none",
    attempts: [{ n: 1, status: 200, timedOut: false }],
  });
  expect(
    (await push(appOrigin, { type: "CLICK", openid, eventKey: "MENU_HELP", mode: "compatible", createTime: now + 1 }))
      .ok,
  ).toBe(true);
  expect(
    (await push(appOrigin, { type: "text", openid, content: "你好 👋", mode: "plaintext", createTime: now + 2 })).ok,
  ).toBe(true);

  // Applied after the answer: the person appears once the app has processed the pushes.
  await expect.poll(() => userIdOf(databaseUrl, openid)).not.toBeNull();
  const userId = (await userIdOf(databaseUrl, openid)) ?? "";

  const page = admin.page;
  await page.goto(`/admin/users/${userId}`);
  await expect(page.getByTestId("user-subscribed")).toHaveText("是");
  await expect(page.getByTestId("user-subscribed-at")).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  // Known from WeChat's pushes only: not shown as having logged in.
  await expect(page.getByTestId("user-last-login-at")).toHaveText("从未登录");
  const entries = page.getByTestId("timeline-entry");
  await expect(entries.getByTestId("timeline-label")).toHaveText(["文本消息", "点击菜单", "关注"]);
  await expect(entries.getByTestId("timeline-detail")).toHaveText([
    "你好 👋",
    "MENU_HELP",
    "扫码关注，场景 e2e_poster",
  ]);
});

test("an auto-reply edited in the console is the reply WeChat gets, encrypted and verified", async ({
  admin,
  appOrigin,
}) => {
  const replies = new AutoRepliesPage(admin.page);
  await replies.open();
  await expect(admin.page.getByTestId("auto-reply-empty")).toBeVisible();
  await replies.add({ kind: "subscribe", reply: "欢迎关注 e2e 公众号" });
  await replies.add({ kind: "keyword", keyword: "价格", match: "contains", reply: "价格表：https://example.com/p" });

  const openid = uniqueOpenid("o_e2e_reply");
  const welcome = await push(appOrigin, { type: "subscribe", openid, mode: "aes" });
  expect(welcome).toMatchObject({ ok: true, replyCheck: "verified" });
  expect(welcome.reply?.fields).toMatchObject({ ToUserName: openid, MsgType: "text", Content: "欢迎关注 e2e 公众号" });

  const asked = await push(appOrigin, { type: "text", openid, content: "请问价格多少", mode: "aes" });
  expect(asked.reply?.fields.Content).toBe("价格表：https://example.com/p");

  await replies.edit(replies.rule("keyword", "价格"), "新价格表：https://example.com/p2");
  const plain = await push(appOrigin, { type: "text", openid, content: "价格", mode: "plaintext" });
  expect(plain).toMatchObject({ ok: true, replyCheck: "plain" });
  expect(plain.reply?.fields.Content).toBe("新价格表：https://example.com/p2");

  // Unknown text: no reply, just "success".
  expect(await push(appOrigin, { type: "text", openid, content: "随便说说", mode: "aes" })).toMatchObject({
    ok: true,
    replyCheck: "none",
  });
});

test("auto-replies: empty fields are refused in Chinese before anything is sent, the form empties after 添加, unsaved edits show, deleting asks", async ({
  admin,
}) => {
  const replies = new AutoRepliesPage(admin.page);
  const page = admin.page;
  await replies.open();
  let posts = 0;
  page.on("request", (r) => {
    if (r.url().endsWith("/api/admin/auto-replies") && r.method() === "POST") posts++;
  });
  const keyword = replies.field(replies.newRule, "关键词");
  const text = replies.field(replies.newRule, "回复内容");
  await replies.choose(replies.newRule, "关键词回复");
  await replies.newRule.getByTestId("auto-reply-create").click();
  // Each empty field says what it needs, in Chinese, tied to the field (its accessible description).
  await expect(keyword).toHaveAccessibleDescription("请填写关键词。");
  await expect(text).toHaveAccessibleDescription("请填写回复内容。");
  await keyword.fill("营业时间");
  await replies.newRule.getByTestId("auto-reply-create").click();
  await expect(keyword).not.toHaveAccessibleDescription("请填写关键词。");
  await expect(text).toHaveAccessibleDescription("请填写回复内容。");
  // Blank is empty too.
  await text.fill("   ");
  await replies.newRule.getByTestId("auto-reply-create").click();
  await expect(text).toHaveAccessibleDescription("请填写回复内容。");
  expect(posts).toBe(0);

  await replies.add({ kind: "keyword", keyword: "营业时间", reply: "9:00–18:00" });
  await expect(page.getByTestId("auto-reply-done")).toHaveText("已添加。");
  // Empty again for the next rule: pressing 添加 twice no longer meets a 409.
  await expect(keyword).toHaveValue("");
  await expect(text).toHaveValue("");
  await expect(replies.newRule.getByRole("alert")).toHaveCount(0);

  const rule = replies.rule("keyword", "营业时间");
  await expect(rule.getByTestId("auto-reply-reply")).toHaveText("9:00–18:00");
  await rule.getByTestId("auto-reply-edit").click();
  await expect(replies.editor.getByTestId("auto-reply-dirty")).toHaveCount(0);
  await expect(replies.editor.getByTestId("auto-reply-save")).toBeDisabled();
  await replies.field(replies.editor, "回复内容").fill("9:00–20:00");
  await expect(replies.editor.getByTestId("auto-reply-dirty")).toHaveText("有未保存的修改");
  await expect(replies.editor.getByTestId("auto-reply-save")).toBeEnabled();
  // Closing with unsaved changes asks; discarding leaves the rule as it was.
  await replies.editor.getByTestId("auto-reply-cancel").click();
  await page.getByTestId("auto-reply-discard-confirm").click();
  await expect(replies.editor).toBeHidden();
  await expect(rule.getByTestId("auto-reply-reply")).toHaveText("9:00–18:00");

  await rule.getByTestId("auto-reply-delete").click();
  await page.getByTestId("auto-reply-delete-confirm").click();
  await expect(replies.rules).toHaveCount(0);
  await expect(page.getByTestId("auto-reply-done").filter({ hasText: "已删除。" })).toBeVisible();
});

test("the README's push example makes a person the console finds by searching o_demo", async ({ admin, appOrigin }) => {
  expect(await push(appOrigin, { type: "subscribe", openid: "o_demo", mode: "plaintext" })).toMatchObject({ ok: true });
  // The push is applied just after WeChat's answer: ask until the person is there.
  await expect
    .poll(async () => {
      const res = await admin.page.request.get("/api/admin/users?q=o_demo");
      return ((await res.json()) as { users?: unknown[] }).users?.length ?? 0;
    })
    .toBe(1);
  await admin.page.goto("/admin/users?q=o_demo");
  await expect(admin.page.getByTestId("user-row")).toHaveCount(1);
});
