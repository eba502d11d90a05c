import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  parseAllowedOrigins,
  payTrialOffered,
  REAL_PAY_BASE,
  resolvePaySettings,
  simulatorBridgeUrl,
} from "./settings";

const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
const privatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const publicPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
const merchant = {
  WECHAT_PAY_MCHID: "1900009191",
  WECHAT_PAY_PRIVATE_KEY: privatePem,
  WECHAT_PAY_CERT_SERIAL: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
  WECHAT_PAY_API_V3_KEY: "0123456789abcdefghijklmnopqrstuv",
  WECHAT_PAY_PUBLIC_KEY: publicPem,
  WECHAT_PAY_PUBLIC_KEY_ID: "PUB_KEY_ID_0114232134912410000000000000",
};

describe("resolvePaySettings", () => {
  it("is off against WeChat Pay without a merchant, and the simulator's merchant elsewhere", () => {
    expect(resolvePaySettings({ WECHAT_PAY_BASE: REAL_PAY_BASE }).settings).toEqual({ mode: "off" });
    expect(resolvePaySettings({ WECHAT_PAY_BASE: "http://127.0.0.1:4010/" }).settings).toEqual({
      mode: "simulator",
      base: "http://127.0.0.1:4010",
    });
  });

  it("loads a complete merchant once, the keys out of sight, failing over to api2 on WeChat Pay", () => {
    const { settings, problems } = resolvePaySettings({ ...merchant, WECHAT_PAY_BASE: REAL_PAY_BASE });
    expect(problems).toEqual([]);
    if (settings.mode !== "merchant") throw new Error("expected merchant");
    expect(settings.backup).toBe("https://api2.mch.weixin.qq.com");
    expect(settings.merchant.keys().privateKey.type).toBe("private");
    const printed = JSON.stringify(settings);
    expect(printed).not.toContain("PRIVATE KEY");
    expect(printed).not.toContain(merchant.WECHAT_PAY_API_V3_KEY);
  });

  it("reads a key from a path, and names each variable that is missing or wrong without quoting a key", () => {
    const fromPath = resolvePaySettings(
      { ...merchant, WECHAT_PAY_PRIVATE_KEY: "/etc/pay/apiclient_key.pem", WECHAT_PAY_BASE: REAL_PAY_BASE },
      (path) => (path === "/etc/pay/apiclient_key.pem" ? privatePem : ""),
    );
    expect(fromPath.problems).toEqual([]);
    const { problems } = resolvePaySettings({
      WECHAT_PAY_MCHID: "1900009191",
      WECHAT_PAY_PRIVATE_KEY: publicPem,
      WECHAT_PAY_API_V3_KEY: "short",
      WECHAT_PAY_BASE: REAL_PAY_BASE,
    });
    expect(problems.map((p) => p.variable).sort()).toEqual([
      "WECHAT_PAY_API_V3_KEY",
      "WECHAT_PAY_CERT_SERIAL",
      "WECHAT_PAY_PRIVATE_KEY",
      "WECHAT_PAY_PUBLIC_KEY",
      "WECHAT_PAY_PUBLIC_KEY_ID",
    ]);
    expect(JSON.stringify(problems)).not.toContain("BEGIN");
  });
});

describe("parseAllowedOrigins", () => {
  it("keeps origins and refuses anything with a path, query or credentials", () => {
    expect(parseAllowedOrigins("https://Shop.example.com, http://127.0.0.1:8080/").origins).toEqual([
      "https://shop.example.com",
      "http://127.0.0.1:8080",
    ]);
    for (const bad of ["https://shop.example.com/pay", "https://a.com?x", "https://u:p@a.com", "ftp://a.com", "shop"])
      expect(parseAllowedOrigins(bad).problem, bad).not.toBeNull();
  });
});

describe("the cashier's simulator bridge and 体验支付", () => {
  it("loads the bridge stand-in and offers 体验支付 only while the simulator plays WeChat Pay", () => {
    const sim = resolvePaySettings({ WECHAT_PAY_BASE: "http://127.0.0.1:4010" }).settings;
    expect(simulatorBridgeUrl(sim)).toBe("http://127.0.0.1:4010/__sim/pay/bridge.js");
    expect(payTrialOffered(sim)).toBe(true);
    const off = resolvePaySettings({ WECHAT_PAY_BASE: REAL_PAY_BASE }).settings;
    expect(simulatorBridgeUrl(off)).toBeNull();
    expect(payTrialOffered(off)).toBe(false);
    const real = resolvePaySettings({ ...merchant, WECHAT_PAY_BASE: REAL_PAY_BASE }).settings;
    expect(simulatorBridgeUrl(real)).toBeNull();
    expect(payTrialOffered(real)).toBe(false);
  });
});
