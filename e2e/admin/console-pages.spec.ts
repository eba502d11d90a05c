// Every console page as a new operator reads it (issue 16): the breadcrumb names the page (新建群发 said
// 详情), back links are the console's link buttons (they were the browser's blue "← 返回…"), the copy is
// plain Chinese with WeChat's terms only in tooltips (snsapi_base, 场景值, "每页 10,000 个 openid"), and no
// date is typed into a native date input that follows the browser's locale.
import { expect, type Page } from "@playwright/test";
import { test as base } from "../fixtures";
import { emptyTables } from "../support/database";
import { signInAdmin, syncFollowers } from "../followers/support";
import { colours, contrast } from "./contrast";
import { clearSignInAttempts, createStaffAccounts } from "./staff";

interface Made {
  userId: string;
  qrCodeId: string;
  jobId: string;
}

const test = base.extend<{ admin: Page; made: Made }, { staffAccounts: void }>({
  staffAccounts: [
    async ({ databaseUrl }, provide) => {
      createStaffAccounts(databaseUrl);
      await provide();
    },
    { scope: "worker" },
  ],
  admin: async ({ browser, appOrigin, databaseUrl, staffAccounts: _ }, provide) => {
    await clearSignInAttempts(databaseUrl);
    await emptyTables(databaseUrl, ["QrCode", "MessageJob", "MessageTemplate", "UserTag", "Tag", "SyncRun", "Lease"]);
    const page = await signInAdmin(browser, appOrigin);
    await provide(page);
    await page.context().close();
  },
  // What the detail pages show: the simulator's followers, a QR code and a mass send, made as an operator would.
  made: async ({ admin: page, appOrigin }, provide) => {
    await syncFollowers(page);
    const post = async (path: string, data?: unknown) => {
      const response = await page.request.post(path, { headers: { origin: appOrigin }, data });
      expect(response.ok(), `${path}: ${await response.text()}`).toBe(true);
      return (await response.json()) as Record<string, unknown>;
    };
    const users = (await (await page.request.get("/api/admin/users?limit=1")).json()) as { users: { id: string }[] };
    const qr = (await post("/api/admin/qrcodes", {
      name: "地铁海报",
      scene: `metro-${Date.now().toString(36)}`,
      action_name: "QR_LIMIT_STR_SCENE",
    })) as { qrCode: { id: string } };
    await post("/api/admin/templates/refresh", {});
    const { templates } = (await (await page.request.get("/api/admin/templates")).json()) as {
      templates: { templateId: string; title: string; example: string; fields: { key: string; label: string }[] }[];
    };
    const template = templates.find((t) => t.title === "订单发货通知")!;
    // The template's own example values ("商品名称：挂耳咖啡 20 包"), which pass WeChat's rules.
    const value = (label: string) =>
      template.example
        .split("\n")
        .find((line) => line.startsWith(`${label}：`))!
        .slice(label.length + 1);
    const job = (await post("/api/admin/message-jobs", {
      templateId: template.templateId,
      data: Object.fromEntries(template.fields.map((f) => [f.key, { value: value(f.label) }])),
      recipients: { type: "query", query: "subscribed=yes" },
    })) as { job: { id: string } };
    await provide({ userId: users.users[0]!.id, qrCodeId: qr.qrCode.id, jobId: job.job.id });
  },
});

/** The breadcrumb's steps as shown (antd draws the separators as items of their own). */
async function breadcrumb(page: Page): Promise<string[]> {
  const steps = page.getByTestId("breadcrumb").locator("li:not(.ant-breadcrumb-separator)");
  await expect(steps.first()).toBeVisible();
  return (await steps.allInnerTexts()).map((s) => s.trim());
}

test("every console page names itself in the breadcrumb, with a link to its section", async ({ admin: page, made }) => {
  const pages: [string, string[]][] = [
    ["/admin", ["仪表盘"]],
    ["/admin/users", ["用户"]],
    [`/admin/users/${made.userId}`, ["用户", "用户详情"]],
    ["/admin/followers", ["粉丝同步"]],
    ["/admin/tags", ["标签"]],
    ["/admin/blacklist", ["黑名单"]],
    ["/admin/auto-replies", ["自动回复"]],
    ["/admin/menu", ["自定义菜单"]],
    ["/admin/qrcodes", ["渠道二维码"]],
    [`/admin/qrcodes/${made.qrCodeId}`, ["渠道二维码", "二维码详情"]],
    ["/admin/templates", ["模板消息"]],
    ["/admin/messages", ["群发"]],
    ["/admin/messages/new", ["群发", "新建群发"]],
    [`/admin/messages/${made.jobId}`, ["群发", "群发详情"]],
  ];
  for (const [path, trail] of pages) {
    await page.goto(path);
    await expect.poll(() => breadcrumb(page), { message: path }).toEqual(["管理后台", ...trail]);
    // Below a section, the section's step leads back to it.
    if (trail.length === 2) {
      const section = page.getByTestId("breadcrumb").getByRole("link", { name: trail[0], exact: true });
      await expect(section, path).toHaveAttribute("href", path.replace(/\/[^/]+$/, ""));
    }
  }
});

test("back links are the console's link buttons, readable, and go back without reloading the page", async ({
  admin: page,
  made,
}) => {
  for (const [path, list, label] of [
    [`/admin/qrcodes/${made.qrCodeId}`, "/admin/qrcodes", "返回渠道二维码"],
    [`/admin/messages/${made.jobId}`, "/admin/messages", "返回群发列表"],
    ["/admin/messages/new", "/admin/messages", "返回群发列表"],
  ] as const) {
    await page.goto(path);
    const back = page.getByTestId("back-link");
    await expect(back).toHaveText(label);
    // An antd link button with an arrow icon, not a bare "←" in the browser's blue.
    await expect(back).toHaveClass(/ant-btn-variant-link/);
    await expect(back.locator(".anticon-arrow-left")).toBeVisible();
    await expect(page.locator(".ant-layout-content")).not.toContainText("←");
    const { fg, bg } = await colours(back);
    expect(fg, `${path}: antd's blue`).not.toBe("rgb(22, 119, 255)");
    expect(contrast(fg, bg), `${path}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    // Inside the app: the page is not loaded anew (a marker set on the window survives).
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    await back.click();
    await page.waitForURL((url) => url.pathname === list);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  }
});

/** WeChat's protocol words an operator should not have to read on the page (a tooltip may name them). */
const PROTOCOL =
  /snsapi_|ADD_SCENE_|\bopenid\b|access_token|jsapi_ticket|stable_token|场景值|media_id|article_id|\bkey\b|QR_(LIMIT_)?STR_SCENE|每页 10,000|检查点|character_string|\bthing\d*\b|\bv\d+\b/i;

test("console pages speak plain Chinese, with WeChat's terms in tooltips, and no native date inputs", async ({
  admin: page,
  made,
}) => {
  for (const path of [
    "/admin",
    "/admin/followers",
    "/admin/tags",
    "/admin/blacklist",
    "/admin/menu",
    "/admin/qrcodes",
    `/admin/qrcodes/${made.qrCodeId}`,
    "/admin/templates",
    "/admin/messages",
    "/admin/messages/new",
    `/admin/messages/${made.jobId}`,
  ]) {
    await page.goto(path);
    const content = page.locator(".ant-layout-content");
    await expect(content.locator("h1").first()).toBeVisible();
    if (path === "/admin/menu") {
      // A button's form, where the menu's key used to be named as such.
      await page.getByTestId("menu-add-top").click();
      await expect(page.getByTestId("menu-field-key")).toBeVisible();
      await expect(page.getByTestId("menu-form")).toContainText("按钮标识");
    }
    const text = await content.innerText();
    expect(text, `${path} reads: ${text.match(PROTOCOL)?.[0]}`).not.toMatch(PROTOCOL);
    // Dates are picked with antd's pickers (Chinese, Beijing time), never the browser's own input.
    await expect(page.locator('input[type="date"], input[type="datetime-local"]'), path).toHaveCount(0);
  }

  // The term is a hover (or a keyboard focus) away.
  await page.goto("/admin/followers");
  await page.getByTestId("sync-intro").getByTestId("term").hover();
  await expect(page.getByRole("tooltip")).toContainText("10,000");
  await page.goto("/admin/qrcodes");
  await page.getByRole("columnheader").getByTestId("term").focus();
  await expect(page.getByRole("tooltip")).toContainText("scene_str");
});
