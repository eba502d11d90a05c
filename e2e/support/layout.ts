// Layout checks shared by the console specs.
import { expect, type Page } from "@playwright/test";

/** The page at a phone's width (390 px) scrolls only up and down; when not, names the elements past the edge. */
export async function expectFitsPhone(page: Page): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    past: [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(-3)
      .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 60)}`),
  }));
  expect(overflow.width, `wider than the screen: ${overflow.past.join(" | ")}`).toBe(390);
}
