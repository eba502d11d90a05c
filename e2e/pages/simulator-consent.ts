import { expect, type Locator, type Page } from "@playwright/test";
import { SIM_PATHS } from "../sim";
import { atPath } from "./urls";

/** The simulator's snsapi_userinfo consent page ("请求获取你的昵称、头像"). */
export class SimulatorConsent {
  readonly title: Locator;
  readonly allowButton: Locator;
  readonly denyButton: Locator;

  constructor(
    readonly page: Page,
    private readonly simOrigin: string,
  ) {
    this.title = page.getByTestId("sim-consent-title");
    this.allowButton = page.getByTestId("sim-allow");
    this.denyButton = page.getByTestId("sim-deny");
  }

  async waitForPage(): Promise<void> {
    await this.page.waitForURL(atPath(this.simOrigin, SIM_PATHS.authorize));
    await expect(this.title).toBeVisible();
  }

  user(key: string): Locator {
    return this.page.getByTestId(`sim-user-${key}`);
  }

  async allowAs(key: string): Promise<void> {
    await this.waitForPage();
    await this.user(key).click();
    await expect(this.user(key).getByRole("radio")).toBeChecked();
    await this.allowButton.click();
  }

  async deny(): Promise<void> {
    await this.waitForPage();
    await this.denyButton.click();
  }
}
