// Followers in the admin console, on both databases: the sync started from the console with its live bar,
// tags (create, a refusal WeChat explains), tagging and untagging from the user list and the tag filter,
// block and unblock, and a person's page with subscription, tags, remark and blacklist.
import type { Page } from "@playwright/test";
import { expect, test } from "../fixtures";
import { connectTestDatabase } from "../support/database";
import { expectFitsPhone } from "../support/layout";
import {
  createStaffAccounts,
  emptyFollowerTables,
  signInAdmin,
  simFollowers,
  syncFollowers,
  userIdOf,
} from "./support";

test.beforeAll(({ databaseUrl }) => createStaffAccounts(databaseUrl));
test.beforeEach(async ({ databaseUrl }) => emptyFollowerTables(databaseUrl));

let admin: Page | undefined;
test.afterEach(async () => {
  await admin?.context().close();
  admin = undefined;
});

async function createTag(page: Page, name: string): Promise<number> {
  const res = await page.request.post("/api/admin/tags", {
    data: { name },
    headers: { origin: new URL(page.url()).origin },
  });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { tag: { id: number } }).tag.id;
}

test("the console syncs followers with a live progress bar", async ({ browser, appOrigin, databaseUrl }) => {
  // Three pages of the list; the simulator holds the second until the bar has been seen midway.
  await simFollowers.configure({ count: 3_000, pageSize: 1_000 });
  await simFollowers.holdList();
  admin = await signInAdmin(browser, appOrigin);
  // The dashboard computes and caches its figures now, before the sync.
  await admin.goto("/admin");
  await expect(admin.getByTestId("total-users")).toBeVisible();
  await admin.goto("/admin/followers");
  await expect(admin.getByTestId("sync-never")).toBeVisible();
  const bar = admin.getByTestId("sync-progress");
  // Every value the bar shows, as the page shows it.
  await admin.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenProgress: string[] }).seenProgress = seen;
    new MutationObserver(() => {
      const value = document.querySelector("[data-testid=sync-progress]")?.getAttribute("aria-valuenow");
      if (value && seen[seen.length - 1] !== value) seen.push(value);
    }).observe(document.body, { subtree: true, attributes: true, childList: true });
  });
  await admin.getByTestId("sync-start").click();
  await expect(admin.getByTestId("sync-status")).toHaveAttribute("data-status", "running");
  // The first page's people are written while the second page waits: the bar shows them.
  await expect(bar).toHaveAttribute("aria-valuenow", /^[1-9]\d?$/);
  expect(await simFollowers.releaseList()).toBeGreaterThan(0);
  await expect(bar).toHaveAttribute("aria-valuenow", "100", { timeout: 30_000 });
  await expect(admin.getByTestId("sync-status")).toHaveText("已完成");
  await expect(admin.getByTestId("sync-counts")).toHaveText("3,005 / 3,005（100%）");
  const seen = await admin.evaluate(() => (window as unknown as { seenProgress: string[] }).seenProgress.map(Number));
  // It moved while the sync ran, never backwards.
  expect(seen.some((v) => v > 0 && v < 100)).toBe(true);
  expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  await expect(admin.getByTestId("sync-start")).toHaveText("开始同步");
  // Right after the sync, the dashboard counts what the list counts (it showed the minute-old total).
  const database = await connectTestDatabase(databaseUrl);
  const users = await database.countUsers().finally(() => database.close());
  await admin.goto("/admin");
  await expect(admin.getByTestId("total-users")).toContainText(new Intl.NumberFormat("zh-CN").format(users));
});

test("tags: create one; a rename WeChat refuses says why and changes nothing", async ({ browser, appOrigin }) => {
  admin = await signInAdmin(browser, appOrigin);
  await admin.goto("/admin/tags");
  await admin.getByTestId("tag-name").fill("广东客户");
  await expect(admin.getByTestId("tag-bytes")).toHaveText("12/30 字节");
  await admin.getByTestId("tag-create-submit").click();
  await expect(admin.getByTestId("tag-result")).toHaveText("已创建标签“广东客户”。");
  await admin.getByTestId("tag-name").fill("北京客户");
  await admin.getByTestId("tag-create-submit").click();
  await expect(admin.getByTestId("tag-row")).toHaveCount(2);

  // Over 30 bytes: refused in the page before anything is sent.
  await admin.getByTestId("tag-name").fill("一二三四五六七八九十一");
  await expect(admin.getByTestId("tag-create-submit")).toBeDisabled();

  const beijing = admin.getByTestId("tag-row").filter({ hasText: "北京客户" });
  await beijing.getByTestId("tag-rename").click();
  await admin.getByTestId("tag-rename-input").fill("广东客户");
  await admin.getByTestId("tag-rename-save").click();
  await expect(admin.getByTestId("tag-result")).toHaveText("标签名称已存在，请换一个名称。（微信错误码 45157）");
  await admin.reload();
  await expect(admin.getByTestId("tag-row").getByTestId("tag-name-link")).toHaveText(["广东客户", "北京客户"]);
  expect((await simFollowers.state()).tags.map((t) => t.name)).toEqual(["星标组", "广东客户", "北京客户"]);
});

test("tag and untag people from the list, and filter the list by tag", async ({
  browser,
  appOrigin,
  sim,
  databaseUrl,
}) => {
  admin = await signInAdmin(browser, appOrigin);
  await syncFollowers(admin);
  const tagId = await createTag(admin, "重要客户");
  const zhangsan = await userIdOf(databaseUrl, (await sim.user("zhangsan")).openid);
  const lisi = await userIdOf(databaseUrl, (await sim.user("lisi")).openid);

  await admin.goto("/admin/users");
  await admin.locator(`input[name=uid][value="${zhangsan}"]`).check();
  await admin.locator(`input[name=uid][value="${lisi}"]`).check();
  await admin.getByTestId("bulk-tag").selectOption(String(tagId));
  await admin.getByTestId("bulk-tag-add").click();
  await expect(admin.getByTestId("bulk-result")).toHaveText("已打标签 2 位用户。");

  await admin.goto(`/admin/users?tag=${tagId}`);
  await expect(admin.getByTestId("user-row")).toHaveCount(2);
  await admin.locator(`input[name=uid][value="${lisi}"]`).check();
  await admin.getByTestId("bulk-tag").selectOption(String(tagId));
  await admin.getByTestId("bulk-tag-remove").click();
  await expect(admin.getByTestId("bulk-result")).toHaveText("已取消标签 1 位用户。");
  await admin.reload();
  await expect(admin.getByTestId("user-row")).toHaveCount(1);
  await expect(admin.getByTestId("user-row")).toHaveAttribute("data-user-id", zhangsan);
  expect((await simFollowers.state()).tags).toContainEqual({ id: tagId, name: "重要客户", count: 1 });
});

test("block and unblock from the list; the blacklist page shows them", async ({
  browser,
  appOrigin,
  sim,
  databaseUrl,
}) => {
  admin = await signInAdmin(browser, appOrigin);
  await syncFollowers(admin);
  const emoji = await userIdOf(databaseUrl, (await sim.user("emoji")).openid);

  await admin.goto("/admin/users");
  await admin.locator(`input[name=uid][value="${emoji}"]`).check();
  await admin.getByTestId("bulk-block").click();
  await admin.getByTestId("bulk-block-confirm").click();
  await expect(admin.getByTestId("bulk-result")).toHaveText("已拉黑 1 位用户。");
  expect((await simFollowers.state()).blacklist).toEqual([(await sim.user("emoji")).openid]);

  await admin.goto("/admin/blacklist");
  await expect(admin.getByTestId("blacklist-row")).toHaveCount(1);
  await expect(admin.getByTestId("blacklist-row")).toHaveAttribute("data-user-id", emoji);
  await admin.getByTestId("blacklist-unblock").click();
  await expect(admin.getByTestId("blacklist-result")).toHaveText("已取消拉黑。");
  await expect(admin.getByTestId("no-blacklist")).toBeVisible();
  expect((await simFollowers.state()).blacklist).toEqual([]);

  // Back on the list, a refusal from WeChat (an openid of another account) leaves things as they were.
  await sim.failNext("/cgi-bin/tags/members/batchblacklist", { kind: "errcode", errcode: 49003 });
  await admin.goto("/admin/users");
  await admin.locator(`input[name=uid][value="${emoji}"]`).check();
  await admin.getByTestId("bulk-block").click();
  await admin.getByTestId("bulk-block-confirm").click();
  await expect(admin.getByTestId("bulk-result")).toHaveText(
    "该 openid 不属于本公众号，数据未修改。（微信错误码 49003）",
  );
  await admin.goto("/admin/blacklist");
  await expect(admin.getByTestId("no-blacklist")).toBeVisible();
});

test("a person's page shows subscription, tags, remark and blacklist, and edits them", async ({
  browser,
  appOrigin,
  sim,
  databaseUrl,
}) => {
  admin = await signInAdmin(browser, appOrigin);
  await syncFollowers(admin);
  await createTag(admin, "老客户");
  const lisi = await sim.user("lisi");
  const id = await userIdOf(databaseUrl, lisi.openid);

  await admin.goto(`/admin/users/${id}`);
  const panel = admin.getByTestId("follower-panel");
  await expect(panel.getByTestId("follower-subscription")).toHaveText("已关注");
  // How they came, in plain Chinese; WeChat's code only in the tooltip.
  const scene = panel.getByTestId("follower-scene");
  await expect(scene).not.toContainText("ADD_SCENE_");
  await expect(scene).toHaveText(/\S/);
  await scene.getByTestId("term").focus();
  await expect(admin.getByRole("tooltip")).toContainText("ADD_SCENE_");
  await expect(panel.getByTestId("follower-blacklisted")).toHaveText("未拉黑");

  await panel.getByTestId("follower-tag-select").selectOption({ label: "老客户" });
  await panel.getByTestId("follower-tag-add").click();
  await expect(panel.getByTestId("follower-tag")).toHaveText(["老客户×"]);

  await panel.getByTestId("follower-remark-input").fill("北京的老朋友");
  await panel.getByTestId("follower-remark-save").click();
  await expect(panel.getByTestId("follower-remark-result")).toHaveText("备注已保存，并已同步到微信。");
  await panel.getByTestId("follower-remark-input").fill("备".repeat(30));
  await expect(panel.getByTestId("follower-remark-save")).toBeDisabled();
  const sent = (await sim.requests("/cgi-bin/user/info/updateremark")).map((r) => JSON.parse(r.body) as unknown);
  expect(sent).toEqual([{ openid: lisi.openid, remark: "北京的老朋友" }]);

  // Blocking asks first; cancelling changes nothing.
  await panel.getByTestId("follower-block-toggle").click();
  await admin.getByTestId("follower-block-cancel").click();
  await expect(panel.getByTestId("follower-blacklisted")).toHaveAttribute("data-blacklisted", "0");
  await panel.getByTestId("follower-block-toggle").click();
  await admin.getByTestId("follower-block-confirm").click();
  await expect(panel.getByTestId("follower-blacklisted")).toHaveAttribute("data-blacklisted", "1");

  await admin.reload();
  await expect(panel.getByTestId("follower-remark-input")).toHaveValue("北京的老朋友");
  // The remark is shown once, in the editor (it was also a second 备注 field above).
  await expect(admin.getByText("备注", { exact: true })).toHaveCount(1);
  await expect(panel.getByTestId("follower-tag")).toHaveText(["老客户×"]);
  await expect(panel.getByTestId("follower-blacklisted")).toContainText("已拉黑");
  // A follower's page (long openids, tags, the send form) fits a phone's width.
  await expectFitsPhone(admin);
});
