// /admin/menu end to end: an admin builds a menu in the phone-shaped editor, meets WeChat's limit on an
// over-long name where the button is, publishes (the simulator has the menu), and reads it back; a menu
// made in WeChat's web console is imported read-only and cannot be published until replaced.
import type { Locator, Page } from "@playwright/test";
import { test as base, expect } from "../fixtures";
import { emptyTables } from "../support/database";
import { StaffSignInPage, clearSignInAttempts, createStaffAccounts } from "./staff";

const MENU_TABLES = ["MenuDraft", "MenuPublication", "MenuConditional"];

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
    await emptyTables(databaseUrl, MENU_TABLES);
    const signIn = new StaffSignInPage(page, appOrigin);
    await signIn.signInAs("admin");
    await provide(signIn);
  },
});

class MenuEditorPage {
  readonly tops: Locator;
  readonly subs: Locator;
  readonly form: Locator;
  readonly problems: Locator;
  readonly publish: Locator;
  constructor(readonly page: Page) {
    this.tops = page.getByTestId("menu-top");
    this.subs = page.getByTestId("menu-sub");
    this.form = page.getByTestId("menu-form");
    this.problems = page.getByTestId("menu-problem");
    this.publish = page.getByTestId("menu-publish");
  }
  async open(): Promise<void> {
    await this.page.goto("/admin/menu");
    await expect(this.page.getByRole("heading", { name: "自定义菜单" })).toBeVisible();
  }
  field(name: string): Locator {
    return this.form.getByTestId(`menu-field-${name}`);
  }
}

test("build a menu, see the limit on an over-long name, publish it and read it back", async ({
  page,
  admin: _,
  sim,
}) => {
  const editor = new MenuEditorPage(page);
  await editor.open();
  await expect(editor.tops).toHaveCount(0);

  // A click button: six CJK characters are 18 bytes, over WeChat's 16 for a top-level name.
  await page.getByTestId("menu-add-top").click();
  await editor.field("name").fill("一二三四五六");
  await editor.field("key").fill("TODAY");
  await expect(editor.problems).toContainText([
    "一级菜单名称最多 16 字节（汉字 3 字节、表情 4 字节），现在 18 字节。（微信错误码 40018）",
  ]);
  await expect(editor.tops.first()).toHaveClass(/text-red-600/);
  await expect(editor.publish).toBeDisabled();
  await editor.field("name").fill("今日推荐");
  await expect(editor.problems).toHaveCount(0);

  // A parent with a sub-button that opens this app's /me (the page picker fills our own URL).
  await page.getByTestId("menu-add-top").click();
  await editor.field("name").fill("我的");
  await page.getByTestId("menu-add-sub").click();
  await editor.field("name").fill("个人中心");
  await editor.field("type").selectOption("view");
  await editor.field("page").selectOption("/me");
  const meUrl = await editor.field("url").inputValue();
  expect(new URL(meUrl).pathname).toBe("/me");

  await expect(page.getByTestId("menu-dirty")).toBeVisible();
  const published = page.waitForResponse(
    (r) => r.url().endsWith("/api/admin/menu/publish") && r.request().method() === "POST",
  );
  await editor.publish.click();
  expect((await published).status()).toBe(200);
  await expect(page.getByTestId("menu-dirty")).toHaveCount(0);
  await expect(page.getByTestId("menu-history-entry").first()).toHaveAttribute("data-kind", "publish");

  const state = await sim.menuState();
  expect(state.default?.button).toEqual([
    { type: "click", name: "今日推荐", key: "TODAY" },
    { name: "我的", sub_button: [{ type: "view", name: "个人中心", url: meUrl }] },
  ]);

  // Read back from WeChat (get_current_selfmenu_info) after a reload: the same two buttons.
  await page.reload();
  await page.getByTestId("menu-import").click();
  await expect(page.getByTestId("menu-history-entry").first()).toHaveAttribute("data-kind", "import");
  await expect(editor.tops).toHaveText(["今日推荐", "≡ 我的"]);
  await editor.tops.nth(1).click();
  await expect(editor.subs).toHaveText(["个人中心"]);
});

test("a menu made in WeChat's web console is imported read-only and must be replaced before publishing", async ({
  page,
  admin: _,
  sim,
}) => {
  await sim.seedConsoleMenu([
    { type: "view", name: "官网", url: "https://example.com/" },
    { type: "text", name: "联系我们", value: "电话 010-1234" },
  ]);
  const editor = new MenuEditorPage(page);
  await editor.open();
  await page.getByTestId("menu-import").click();
  await expect(editor.tops).toHaveText(["官网", "联系我们"]);
  await editor.tops.nth(1).click();
  // In an operator's words; WeChat's type name only in the tooltip.
  await expect(page.getByTestId("menu-console-made")).toContainText("（回复文字：电话 010-1234）");
  await expect(page.getByTestId("menu-console-made")).not.toContainText("text");
  await expect(editor.publish).toBeDisabled();

  await page.getByTestId("menu-remove").click();
  await expect(editor.tops).toHaveText(["官网"]);
  await expect(editor.publish).toBeEnabled();
  await editor.publish.click();
  await expect
    .poll(async () => (await sim.menuState()).default?.button)
    .toEqual([{ type: "view", name: "官网", url: "https://example.com/" }]);
});
