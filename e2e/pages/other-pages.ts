import type { Locator, Page } from "@playwright/test";
import { atPath } from "./urls";

/** /auth/snapshot: shown to visitors of a Moments snapshot page, who cannot log in. */
export class SnapshotPage {
  readonly title: Locator;

  constructor(
    readonly page: Page,
    private readonly appOrigin: string,
  ) {
    this.title = page.getByTestId("snapshot-title");
  }

  async waitForPage(): Promise<void> {
    await this.page.waitForURL(atPath(this.appOrigin, "/auth/snapshot"));
  }
}

/** /auth/open-in-wechat: browsers other than WeChat's get a QR code and the link. */
export class OpenInWeChatPage {
  readonly heading: Locator;
  readonly qrSvg: Locator;
  readonly link: Locator;

  constructor(
    readonly page: Page,
    private readonly appOrigin: string,
  ) {
    this.heading = page.getByTestId("open-in-wechat");
    this.qrSvg = page.getByTestId("qr").locator("svg");
    this.link = page.getByTestId("link");
  }

  async waitForPage(): Promise<void> {
    await this.page.waitForURL(atPath(this.appOrigin, "/auth/open-in-wechat"));
  }
}
