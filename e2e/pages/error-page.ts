import type { Locator, Page } from "@playwright/test";
import { atPath } from "./urls";

/** /auth/error: a failed login, in Chinese, with the code small underneath. */
export class ErrorPage {
  readonly message: Locator;
  readonly code: Locator;
  readonly retryButton: Locator;

  constructor(
    readonly page: Page,
    private readonly appOrigin: string,
  ) {
    this.message = page.getByTestId("error-message");
    this.code = page.getByTestId("error-code");
    this.retryButton = page.getByTestId("retry-login");
  }

  async waitForPage(): Promise<void> {
    await this.page.waitForURL(atPath(this.appOrigin, "/auth/error"));
  }
}
