import { describe, expect, it } from "vitest";
import { storableText } from "./text";

describe("storableText", () => {
  it.each([
    ["张三", "张三"],
    ["😀 emoji 𠀀", "😀 emoji 𠀀"],
    ["a\u0000b", "a\uFFFDb"],
    ["cut \uD83D", "cut \uFFFD"],
    ["\uDE00 alone", "\uFFFD alone"],
    ["\uDE00\uD83D", "\uFFFD\uFFFD"],
    ["", ""],
  ])("%j → %j", (input, output) => {
    expect(storableText(input)).toBe(output);
    // What UTF-8 can carry comes back from it unchanged.
    expect(Buffer.from(storableText(input), "utf8").toString("utf8")).toBe(storableText(input));
  });
});
