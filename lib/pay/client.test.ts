// The client's three sources; the simulator's merchant read over HTTP from an in-process simulator.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "@/simulator/server";
import { nodeTransport } from "@/lib/wechat/transport";
import { payClientSource } from "./client";
import { REAL_PAY_BASE, resolvePaySettings } from "./settings";

let sim: Simulator;
const transport = nodeTransport();
beforeAll(async () => {
  sim = await startSimulator({ startTime: Date.UTC(2026, 0, 15, 8, 0, 0) });
});
afterAll(async () => {
  await sim.close();
  transport.close();
});

describe("payClientSource", () => {
  it("is null when payments are off", () => {
    expect(payClientSource({ mode: "off" }, { appId: "wx1" })).toBeNull();
  });

  it("uses the simulator's merchant against the simulator: a signed call verifies both ways", async () => {
    let reads = 0;
    let now = 0;
    const source = payClientSource(
      { mode: "simulator", base: sim.url },
      {
        appId: SIM_DEFAULTS.appId,
        client: { fetch: transport, now: () => sim.now(), sleep: async () => {} },
        fetch: (url) => (reads++, fetch(url)),
        nowMs: () => now,
      },
    )!;
    const client = await source();
    expect(client.mchid).toBe(sim.pay.merchant().mchid);
    // ORDER_NOT_EXIST comes signed: our request verified there, its answer here.
    await expect(client.queryOrder("SO20260115000001")).rejects.toMatchObject({
      code: "ORDER_NOT_EXIST",
      verified: true,
    });
    expect(await source()).toBe(client);
    expect(reads).toBe(1);
    now += 61_000;
    expect(await source()).toBe(client);
    expect(reads).toBe(2);
  });

  it("builds our own merchant's client from the loaded keys", async () => {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const { settings } = resolvePaySettings({
      WECHAT_PAY_MCHID: "1900009191",
      WECHAT_PAY_PRIVATE_KEY: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      WECHAT_PAY_CERT_SERIAL: "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
      WECHAT_PAY_API_V3_KEY: "0123456789abcdefghijklmnopqrstuv",
      WECHAT_PAY_PUBLIC_KEY: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
      WECHAT_PAY_PUBLIC_KEY_ID: "PUB_KEY_ID_0114232134912410000000000000",
      WECHAT_PAY_BASE: REAL_PAY_BASE,
    });
    const client = await payClientSource(settings, { appId: "wx5e1f0c0de0000001" })!();
    expect(client).toMatchObject({ mchid: "1900009191", appid: "wx5e1f0c0de0000001" });
    expect(JSON.stringify(client)).not.toContain("PRIVATE");
  });
});
