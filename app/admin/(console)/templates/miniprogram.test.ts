// The console's mini program check agrees with the API's schema: what the form lets through, the route
// accepts, and what the form stops, the route would refuse.
import { describe, expect, it } from "vitest";
import { miniProgramSchema } from "@/lib/templates/send";
import { miniProgramBody, miniProgramProblems } from "./miniprogram";

const CASES = [
  { appid: "wx1234567890abcdef", pagepath: "" },
  { appid: "wx1234567890abcdef", pagepath: "pages/order/detail?id=1001" },
  { appid: " wx1234567890abcdef ", pagepath: " pages/index/index " },
  { appid: "wx1234567890abcdef", pagepath: "p".repeat(512) },
  { appid: "wx1234567890abcdef", pagepath: "p".repeat(513) },
  { appid: "wx1234567890abcde", pagepath: "" },
  { appid: "wx1234567890abcdefg", pagepath: "" },
  { appid: "wa1234567890abcdef", pagepath: "" },
  { appid: "wx1234567890abcde-", pagepath: "" },
  { appid: "wx小程序", pagepath: "" },
];

describe("the send forms' mini program", () => {
  it("is accepted by the API's schema exactly when the form finds no problem", () => {
    for (const inputs of CASES) {
      const ok = Object.keys(miniProgramProblems(inputs)).length === 0;
      expect({ inputs, ok: miniProgramSchema.safeParse(miniProgramBody(inputs)).success }).toEqual({ inputs, ok });
    }
  });

  it("is left out when both inputs are empty, and a page without an AppID is a problem", () => {
    expect(miniProgramBody({ appid: "", pagepath: "" })).toBeUndefined();
    expect(miniProgramProblems({ appid: " ", pagepath: "" })).toEqual({});
    expect(miniProgramProblems({ appid: "", pagepath: "pages/index/index" })).toEqual({
      appid: "填写了页面路径，请同时填写小程序 AppID。",
    });
    expect(miniProgramProblems({ appid: "wx123", pagepath: "" })).toEqual({
      appid: "小程序 AppID 须为 wx 开头的 18 位。",
    });
    expect(miniProgramBody({ appid: " wx1234567890abcdef ", pagepath: "" })).toEqual({ appid: "wx1234567890abcdef" });
  });
});
