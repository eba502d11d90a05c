import { describe, expect, it } from "vitest";
import { checkImage, imageKind, multipartFile } from "./rules";

const part = (boundary: string, name: string, data: string, filename = "f.png") =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n${data}\r\n`;

describe("multipartFile", () => {
  it("finds the named part among others, with a quoted boundary too, bytes intact", () => {
    const body = Buffer.from(
      `${part("b1", "other", "xx")}${part("b1", "buffer", "\u0089PNG\r\n--b")}--b1--\r\n`,
      "latin1",
    );
    expect(multipartFile("multipart/form-data; boundary=b1", body, "buffer")).toEqual({
      data: Buffer.from("\u0089PNG\r\n--b", "latin1"),
      filename: "f.png",
    });
    expect(multipartFile('multipart/form-data; boundary="b1"', body, "buffer")?.filename).toBe("f.png");
  });

  it("is undefined without the part, without a boundary, or for another content type", () => {
    const body = Buffer.from(`${part("b1", "media", "x")}--b1--\r\n`);
    expect(multipartFile("multipart/form-data; boundary=b1", body, "buffer")).toBeUndefined();
    expect(multipartFile("multipart/form-data", body, "buffer")).toBeUndefined();
    expect(multipartFile("application/json", body, "buffer")).toBeUndefined();
    // A part whose name only ends in "buffer" is not it.
    const lookalike = Buffer.from(`${part("b1", "notbuffer", "x")}--b1--\r\n`);
    expect(multipartFile("multipart/form-data; boundary=b1", lookalike, "buffer")).toBeUndefined();
  });
});

describe("imageKind and checkImage", () => {
  it("by magic bytes only", () => {
    expect(imageKind(Buffer.from([0xff, 0xd8, 0xff, 0xdb]))).toBe("jpg");
    expect(imageKind(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe("png");
    expect(imageKind(Buffer.from("GIF89a"))).toBeNull();
    expect(imageKind(Buffer.from([0xff, 0xd8]))).toBeNull();
  });

  it("answers 41005, 40009, 40005 in that order", () => {
    const form = (data: string) => Buffer.from(`${part("b", "buffer", data)}--b--\r\n`, "latin1");
    const type = "multipart/form-data; boundary=b";
    expect(checkImage(type, Buffer.from("{}"))).toEqual({ ok: false, errcode: 41005 });
    expect(checkImage(type, form(""))).toEqual({ ok: false, errcode: 40009 });
    expect(checkImage(type, form("GIF89a"))).toEqual({ ok: false, errcode: 40005 });
    expect(checkImage(type, form("\u00ff\u00d8\u00ff\u00e0"))).toMatchObject({ ok: true, value: { kind: "jpg" } });
  });
});
