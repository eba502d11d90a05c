// WCAG contrast of rendered colours, for the console specs: the text colour against the first opaque
// background among the element and its ancestors.
import type { Locator } from "@playwright/test";

/** WCAG relative luminance contrast of two CSS colours (rgb/rgba, alpha blended on `under`). */
export function contrast(fg: string, bg: string): number {
  const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const [br = 255, bgG = 255, bb = 255] = parse(bg);
  const [r = 0, g = 0, b = 0, a = 1] = parse(fg);
  const blend = [r * a + br * (1 - a), g * a + bgG * (1 - a), b * a + bb * (1 - a)];
  const lum = (rgb: number[]) => {
    const [x = 0, y = 0, z = 0] = rgb.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * x + 0.7152 * y + 0.0722 * z;
  };
  const [l1, l2] = [lum(blend), lum([br, bgG, bb])].sort((p, q) => q - p) as [number, number];
  return (l1 + 0.05) / (l2 + 0.05);
}

/** An element's text colour and the background it is drawn on. */
export async function colours(locator: Locator): Promise<{ fg: string; bg: string }> {
  return locator.evaluate((el) => {
    let bg = "rgb(255, 255, 255)";
    for (let n: Element | null = el; n; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") {
        bg = c;
        break;
      }
    }
    return { fg: getComputedStyle(el).color, bg };
  });
}
