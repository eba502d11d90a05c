// The admin console's door: staff sign-in and sign-out, roles, and the end user's session kept apart.
import { test as base, expect } from "../fixtures";
import { atPath } from "../pages/urls";
import { recordFailedSignIns } from "../support/database";
import { ConsoleShell, STAFF, StaffSignInPage, clearSignInAttempts, createStaffAccounts } from "./staff";

const test = base.extend<{ signInPage: StaffSignInPage; shell: ConsoleShell }, { staffAccounts: void }>({
  staffAccounts: [
    async ({ databaseUrl }, provide) => {
      createStaffAccounts(databaseUrl);
      await provide();
    },
    { scope: "worker" },
  ],
  signInPage: async ({ page, appOrigin, databaseUrl, staffAccounts: _ }, provide) => {
    await clearSignInAttempts(databaseUrl);
    await provide(new StaffSignInPage(page, appOrigin));
  },
  shell: async ({ page }, provide) => provide(new ConsoleShell(page)),
});

test("staff sign-in: a wrong password is refused with a message, the right one lands on /admin", async ({
  page,
  signInPage,
  shell,
  appOrigin,
}) => {
  await signInPage.open();
  await signInPage.signIn(STAFF.admin.email, "not-the-password-at-all");
  await expect(signInPage.error).toHaveText("邮箱或密码错误。");
  await expect(page).toHaveURL(atPath(appOrigin, "/admin/signin"));

  await signInPage.signIn(STAFF.admin.email, STAFF.admin.password);
  await page.waitForURL(atPath(appOrigin, "/admin"));
  await expect(shell.email).toHaveText(STAFF.admin.email);
  await expect(shell.role).toHaveText("管理员");
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "wcuc_staff.session-token");
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  expect(cookies.find((c) => c.name === "wcuc_session")).toBeUndefined();
  expect(await shell.whoami()).toMatchObject({
    status: 200,
    body: { staff: { email: STAFF.admin.email, role: "admin" } },
  });
  // An admin may change things, from our own pages.
  const ping = await page.request.post("/api/admin/ping", { headers: { origin: appOrigin } });
  expect(ping.status()).toBe(200);
});

test("sign-out ends the staff session, a copy of its cookie too", async ({ page, signInPage, shell, appOrigin }) => {
  await signInPage.signInAs("viewer");
  const copy = (await page.context().cookies()).find((c) => c.name === "wcuc_staff.session-token");
  expect(copy).toBeDefined();
  await shell.signOutButton.click();
  await signInPage.waitForPage();
  expect((await page.context().cookies()).find((c) => c.name === "wcuc_staff.session-token")).toBeUndefined();
  expect((await shell.whoami()).status).toBe(401);
  await page.goto("/admin");
  await page.waitForURL(atPath(appOrigin, "/admin/signin"));
  // Someone who copied the cookie before sign-out (it has not expired) gets nothing with it.
  await page.context().addCookies([copy!]);
  expect((await shell.whoami()).status).toBe(401);
  await page.goto("/admin");
  await page.waitForURL(atPath(appOrigin, "/admin/signin"));
  // next-auth's own session endpoint does not bring it back with a fresh cookie either.
  await page.context().addCookies([copy!]);
  const session = await page.request.get("/api/auth/staff/session");
  expect(await session.json()).toBeNull();
  expect((await shell.whoami()).status).toBe(401);
});

test("next-auth's own sign-out endpoint revokes the session too", async ({ page, signInPage, shell }) => {
  await signInPage.signInAs("admin");
  const copy = (await page.context().cookies()).find((c) => c.name === "wcuc_staff.session-token");
  const { csrfToken } = (await (await page.request.get("/api/auth/staff/csrf")).json()) as { csrfToken: string };
  const signedOut = await page.request.post("/api/auth/staff/signout", { form: { csrfToken }, maxRedirects: 0 });
  expect(signedOut.status()).toBeLessThan(400);
  await page.context().addCookies([copy!]);
  expect((await shell.whoami()).status).toBe(401);
});

test("signed out: /admin/users goes to sign-in, /api/admin/whoami is 401", async ({
  page,
  signInPage,
  shell,
  appOrigin,
}) => {
  await page.goto("/admin/users");
  await signInPage.waitForPage();
  expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe("/admin/users");
  const whoami = await shell.whoami();
  expect(whoami.status).toBe(401);
  expect(whoami.body).toMatchObject({ error: { code: "unauthenticated" } });
  const ping = await page.request.post("/api/admin/ping", { headers: { origin: appOrigin } });
  expect(ping.status()).toBe(401);
});

test("console pages, the prerendered list shell too, are private and never stored by a cache", async ({
  page,
  signInPage,
}) => {
  await signInPage.signInAs("viewer");
  for (const path of ["/admin", "/admin/users", "/admin/signin"]) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    const cacheControl = response.headers()["cache-control"] ?? "";
    expect(cacheControl, path).toContain("private");
    expect(cacheControl, path).toContain("no-store");
    expect(cacheControl, path).not.toContain("s-maxage");
  }
});

test("a viewer reads but is refused a change (403)", async ({ page, signInPage, shell, appOrigin }) => {
  await signInPage.signInAs("viewer");
  await expect(shell.role).toHaveText("只读");
  expect(await shell.whoami()).toMatchObject({ status: 200, body: { staff: { role: "viewer" } } });
  const ping = await page.request.post("/api/admin/ping", { headers: { origin: appOrigin } });
  expect(ping.status()).toBe(403);
  expect(await ping.json()).toEqual({ error: { code: "forbidden", message: "没有权限执行此操作。" } });
});

test("an end user's WeChat session does not open /admin", async ({ page, me, signInPage, shell }) => {
  await me.open();
  expect((await page.context().cookies()).some((c) => c.name === "wcuc_session")).toBe(true);
  await page.goto("/admin");
  await signInPage.waitForPage();
  expect((await shell.whoami()).status).toBe(401);
  // And the other way round: a staff session is not an end user's.
  await page.context().clearCookies();
  await signInPage.signInAs("admin");
  expect((await me.api()).status).toBe(401);
});

test("after a password spray the sign-in page and the console say that sign-in is slowed for everyone", async ({
  page,
  signInPage,
  appOrigin,
  databaseUrl,
}) => {
  await signInPage.open();
  await expect(page.getByTestId("signin-slowed")).toHaveCount(0);
  // 51 failures across accounts a minute ago: over the global limit (50 in 15 minutes), and quiet since.
  await recordFailedSignIns(databaseUrl, 51, 60_000);
  try {
    await signInPage.open();
    await expect(page.getByTestId("signin-slowed")).toContainText("放慢");
    // Nobody tried in the last 3 s, so this sign-in gets its password checked; the console says it too.
    await signInPage.signIn(STAFF.admin.email, STAFF.admin.password);
    await page.waitForURL(atPath(appOrigin, "/admin"));
    await expect(page.getByTestId("signin-slowed")).toContainText("放慢");
    await page.goto("/admin/users");
    await expect(page.getByTestId("signin-slowed")).toContainText("放慢");
  } finally {
    // Later specs sign in several times within seconds: leave them no spray.
    await clearSignInAttempts(databaseUrl);
  }
});
