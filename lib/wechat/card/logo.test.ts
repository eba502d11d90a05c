import { describe, expect, it } from "vitest";
import { LOGO_MAX_BYTES, checkLogo } from "./logo";

const png = (size: number) => {
  const data = new Uint8Array(size);
  data.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return data;
};
const jpeg = (size: number) => {
  const data = new Uint8Array(size);
  data.set([0xff, 0xd8, 0xff, 0xe0]);
  return data;
};

describe("checkLogo: JPG or PNG by content, 1 MB at most", () => {
  it("recognises PNG and JPEG by their first bytes", () => {
    expect(checkLogo(png(100))).toEqual({ ok: true, contentType: "image/png", extension: "png" });
    expect(checkLogo(jpeg(100))).toEqual({ ok: true, contentType: "image/jpeg", extension: "jpg" });
  });

  it("takes exactly 1 MB and refuses one byte more (40009)", () => {
    expect(checkLogo(png(LOGO_MAX_BYTES)).ok).toBe(true);
    expect(checkLogo(png(LOGO_MAX_BYTES + 1))).toMatchObject({ ok: false, errcode: 40009 });
    expect(checkLogo(new Uint8Array())).toMatchObject({ ok: false, errcode: 40009 });
  });

  it.each([
    ["a GIF", new TextEncoder().encode("GIF89a......")],
    ["HTML named logo.png", new TextEncoder().encode("<html><body>not a picture</body></html>")],
    ["a PNG signature cut short", new Uint8Array([0x89, 0x50, 0x4e, 0x47])],
    ["WebP", new TextEncoder().encode("RIFF\u0000\u0000\u0000\u0000WEBPVP8 ")],
  ])("refuses %s (40005)", (_name, data) => {
    expect(checkLogo(data)).toMatchObject({
      ok: false,
      errcode: 40005,
      message: expect.stringContaining("JPG 或 PNG"),
    });
  });
});
