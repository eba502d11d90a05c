// /me loads WeChat's JS-SDK from the host, and in the version, that its Content-Security-Policy was written
// for (lib/csp.ts read jweixin 1.6.0 for every host it reaches): a change to either fails here first.
import { expect, it } from "vitest";
import { WECHAT_JSSDK } from "@/lib/csp";
import { JWEIXIN_URL } from "./jssdk";

it("loads jweixin 1.6.0 from the script host /me's policy allows", () => {
  expect(new URL(JWEIXIN_URL).origin).toBe(WECHAT_JSSDK.scriptOrigin);
  expect(new URL(JWEIXIN_URL).pathname).toBe("/open/js/jweixin-1.6.0.js");
});
