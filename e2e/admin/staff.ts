// Staff accounts for the admin specs, made with the real `npm run admin:create` against the database of
// the app under test, and the sign-in page as a page object.
import { execFileSync } from "node:child_process";
import { expect, type Locator, type Page } from "@playwright/test";
import { emptyTables } from "../support/database";
import { atPath } from "../pages/urls";

export const STAFF = {
  admin: { email: "admin@e2e.example", password: "e2e-admin-Password-1", role: "admin" },
  viewer: { email: "viewer@e2e.example", password: "e2e-viewer-Password-2", role: "viewer" },
} as const;
export type StaffKey = keyof typeof STAFF;

/** Creates (or resets, with --update) both accounts: about a second each, once per worker. */
export function createStaffAccounts(databaseUrl: string): void {
  for (const { email, password, role } of Object.values(STAFF)) {
    execFileSync("npm", ["run", "admin:create", "--silent", "--", "--email", email, "--role", role, "--update"], {
      env: { ...process.env, DATABASE_URL: databaseUrl, ADMIN_PASSWORD: password },
      stdio: ["ignore", "pipe", "pipe"],
    });
  }
}

/** Forgets earlier sign-in attempts, so that no test inherits another's rate limit. */
export async function clearSignInAttempts(databaseUrl: string): Promise<void> {
  await emptyTables(databaseUrl, ["SignInAttempt"]);
}

/** /admin/signin */
export class StaffSignInPage {
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(
    readonly page: Page,
    private readonly appOrigin: string,
  ) {
    this.email = page.getByLabel("邮箱");
    this.password = page.getByLabel("密码");
    this.submit = page.getByRole("button", { name: "登录" });
    this.error = page.getByTestId("signin-error");
  }

  async open(): Promise<void> {
    await this.page.goto("/admin/signin");
  }

  async waitForPage(): Promise<void> {
    await this.page.waitForURL(atPath(this.appOrigin, "/admin/signin"));
    await expect(this.submit).toBeVisible();
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
  }

  /** Opens sign-in, signs in as `key` and waits for the console at `landing`. */
  async signInAs(key: StaffKey, landing = "/admin"): Promise<void> {
    await this.open();
    await this.signIn(STAFF[key].email, STAFF[key].password);
    await this.page.waitForURL(atPath(this.appOrigin, landing));
  }
}

/** The signed-in shell around every console page. */
export class ConsoleShell {
  readonly email: Locator;
  readonly role: Locator;
  readonly signOutButton: Locator;

  constructor(readonly page: Page) {
    this.email = page.getByTestId("staff-email");
    this.role = page.getByTestId("staff-role");
    this.signOutButton = page.getByTestId("staff-signout");
  }

  /** GET /api/admin/whoami with the page's cookies. */
  async whoami(): Promise<{ status: number; body: { staff?: { email: string; role: string } } }> {
    const res = await this.page.request.get("/api/admin/whoami");
    return { status: res.status(), body: (await res.json()) as { staff?: { email: string; role: string } } };
  }
}
