import { expect, type Locator, type Page } from "@playwright/test";
import { atPath } from "./urls";

export interface MeJson {
  id: string;
  openid: string | null;
  unionid: string | null;
  nickname: string | null;
  headimgurl: string | null;
  scope: string;
}

/** /me: the signed-in person. Visiting it without a session logs in silently (snsapi_base). */
export class MePage {
  readonly nickname: Locator;
  readonly openid: Locator;
  readonly unionid: Locator;
  readonly upgradeLink: Locator;
  readonly refreshButton: Locator;
  readonly refreshStatus: Locator;
  readonly logoutButton: Locator;
  readonly avatarImage: Locator;
  readonly defaultAvatar: Locator;

  constructor(
    readonly page: Page,
    private readonly appOrigin: string,
  ) {
    this.nickname = page.getByTestId("nickname");
    this.openid = page.getByTestId("openid");
    this.unionid = page.getByTestId("unionid");
    this.upgradeLink = page.getByTestId("upgrade");
    this.refreshButton = page.getByTestId("refresh-profile");
    this.refreshStatus = page.getByTestId("refresh-status");
    this.logoutButton = page.getByTestId("logout");
    this.avatarImage = page.getByRole("img", { name: "头像", exact: true });
    this.defaultAvatar = page.getByLabel("默认头像");
  }

  /** Opens /me and waits until the login round trip, whatever it is, has landed back on it. */
  async open(): Promise<void> {
    await this.page.goto("/me");
    await this.waitForLoaded();
  }

  async waitForLoaded(): Promise<void> {
    await this.page.waitForURL(atPath(this.appOrigin, "/me"));
    await expect(this.openid).toBeVisible();
  }

  /** The nickname exactly as rendered, code unit for code unit (toHaveText would normalise whitespace). */
  async nicknameText(): Promise<string | null> {
    return this.nickname.textContent();
  }

  async startUpgrade(): Promise<void> {
    await this.upgradeLink.click();
  }

  async refreshProfile(): Promise<void> {
    await this.refreshButton.click();
  }

  async logout(): Promise<void> {
    await this.logoutButton.click();
    await this.page.waitForURL(atPath(this.appOrigin, "/"));
  }

  /** 退出所有设备, confirmed in its dialog. */
  async logoutEverywhere(): Promise<void> {
    await this.page.getByTestId("logout-everywhere").click();
    const dialog = this.page.getByTestId("logout-everywhere-dialog");
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "全部退出" }).click();
    await this.page.waitForURL(atPath(this.appOrigin, "/"));
  }

  /** GET /api/me with the page's cookies. */
  async api(): Promise<{ status: number; user?: MeJson }> {
    const res = await this.page.request.get("/api/me");
    const body = (await res.json()) as { user?: MeJson };
    return { status: res.status(), user: body.user };
  }
}
