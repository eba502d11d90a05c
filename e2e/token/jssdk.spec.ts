// /me inside WeChat's browser configures the JS-SDK with a signature from the central jsapi_ticket,
// checked here the way WeChat checks wx.config (the simulator's /__sim/ticket/verify).
import type { Page } from "@playwright/test";
import { expect, test } from "../fixtures";
import { SIM_URL } from "../support/env";
import { emptyTables } from "../support/database";

/**
 * The simulator is reset before each test and forgets every ticket; the app's stored ones would then
 * sign with a ticket WeChat no longer knows. Start the token service from nothing as well.
 */
async function forgetCredentials(databaseUrl: string): Promise<void> {
  await emptyTables(databaseUrl, ["WeChatCredential", "Lease", "CredentialFetch"]);
}

async function signedConfig(page: Page) {
  const status = page.getByTestId("jssdk-status");
  await expect(status).toHaveAttribute("data-state", "signed");
  return {
    timestamp: Number(await status.getAttribute("data-timestamp")),
    nonceStr: (await status.getAttribute("data-nonce")) ?? "",
    signature: (await status.getAttribute("data-signature")) ?? "",
  };
}

async function verify(body: unknown): Promise<boolean> {
  const res = await fetch(`${SIM_URL}/__sim/ticket/verify`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return ((await res.json()) as { valid: boolean }).valid;
}

test("/me gets a wx.config signed with the central ticket, for its own URL without the fragment", async ({
  page,
  me,
  databaseUrl,
}) => {
  await forgetCredentials(databaseUrl);
  const scripts: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "script") scripts.push(new URL(request.url()).host);
  });
  await me.open();
  await page.evaluate(() => history.replaceState(null, "", `${location.pathname}?from=menu#section`));
  // A process keeps a value for up to a second: reload until it has read the new ticket.
  await expect(async () => {
    await page.reload();
    await me.waitForLoaded();
    const config = await signedConfig(page);
    const url = page.url().split("#")[0] ?? "";
    expect(url).toContain("?from=menu");
    expect(await verify({ url, ...config })).toBe(true);
    expect(await verify({ url: `${url}&x=1`, ...config })).toBe(false);
  }).toPass({ timeout: 15_000 });
  // Against the simulator the JS-SDK itself is never loaded from res.wx.qq.com.
  expect(scripts).not.toContain("res.wx.qq.com");
});
