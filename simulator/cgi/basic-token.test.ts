import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";
import { OVERLAP_SECONDS } from "./basic-token";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ startTime: START_TIME });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function classic(params: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const query = new URLSearchParams({
    grant_type: "client_credential",
    appid: SIM_DEFAULTS.appId,
    secret: SIM_DEFAULTS.appSecret,
    ...params,
  });
  const res = await fetch(`${sim.url}/cgi-bin/token?${query}`);
  expect(res.headers.get("content-type")).toBe("text/plain");
  return (await res.json()) as Record<string, unknown>;
}

describe("cgi-bin/token", () => {
  it("issues a 7200 s token that check() accepts", async () => {
    const body = await classic();
    expect(body.expires_in).toBe(7200);
    expect(typeof body.access_token).toBe("string");
    expect(sim.basicTokens.check(body.access_token as string)).toBeNull();
  });

  it("refuses a wrong grant_type, appid and secret with their codes", async () => {
    expect((await classic({ grant_type: "password" })).errcode).toBe(40002);
    expect((await classic({ appid: "wx0000000000000000" })).errcode).toBe(40013);
    expect((await classic({ secret: "wrong" })).errcode).toBe(40125);
  });

  it("a new fetch lets the previous token work for the 5-minute overlap, then 40001", async () => {
    const first = (await classic()).access_token as string;
    await classic();
    sim.advance(OVERLAP_SECONDS - 1);
    expect(sim.basicTokens.check(first)).toBeNull();
    sim.advance(1);
    expect(sim.basicTokens.check(first)?.errcode).toBe(40001);
  });

  it("a token past its 7200 s is 42001; missing 41001; unknown 40001", async () => {
    const token = (await classic()).access_token as string;
    sim.advance(7200);
    expect(sim.basicTokens.check(token)?.errcode).toBe(42001);
    expect(sim.basicTokens.check(null)?.errcode).toBe(41001);
    expect(sim.basicTokens.check("nope")?.errcode).toBe(40001);
  });

  it("reset() forgets every token", async () => {
    const token = (await classic()).access_token as string;
    sim.reset();
    expect(sim.basicTokens.check(token)?.errcode).toBe(40001);
  });
});
