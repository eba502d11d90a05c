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

async function stable(body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.url}/cgi-bin/stable_token`, {
    method: "POST",
    body: JSON.stringify({
      grant_type: "client_credential",
      appid: SIM_DEFAULTS.appId,
      secret: SIM_DEFAULTS.appSecret,
      ...body,
    }),
  });
  expect(res.headers.get("content-type")).toBe("text/plain");
  return (await res.json()) as Record<string, unknown>;
}

describe("cgi-bin/token quota", () => {
  it("answers 45009 once the day's quota is spent, and counts again the next Beijing day", async () => {
    sim.basicTokens.setQuota({ classic: 2 });
    expect((await classic()).access_token).toBeTypeOf("string");
    expect((await classic()).access_token).toBeTypeOf("string");
    expect((await classic()).errcode).toBe(45009);
    // START_TIME is 16:00 in Beijing: eight hours to the next day.
    sim.advance(8 * 3600);
    expect((await classic()).access_token).toBeTypeOf("string");
  });

  it("the overlap is settable; 0 retires a replaced token at once", async () => {
    sim.basicTokens.setOverlap(0);
    const first = (await classic()).access_token as string;
    await classic();
    expect(sim.basicTokens.check(first)?.errcode).toBe(40001);
  });
});

describe("cgi-bin/stable_token", () => {
  it("returns the same token until its last 5 minutes, then a new one; the old one lives out its time", async () => {
    const first = await stable();
    expect(first.expires_in).toBe(7200);
    sim.advance(3600);
    const again = await stable();
    expect(again.access_token).toBe(first.access_token);
    expect(again.expires_in).toBe(3600);
    sim.advance(3600 - 300);
    const renewed = await stable();
    expect(renewed.access_token).not.toBe(first.access_token);
    expect(renewed.expires_in).toBe(7200);
    expect(sim.basicTokens.check(first.access_token as string)).toBeNull();
    sim.advance(300);
    expect(sim.basicTokens.check(first.access_token as string)?.errcode).toBe(42001);
    expect(sim.basicTokens.check(renewed.access_token as string)).toBeNull();
  });

  it("does not invalidate classic tokens, and classic fetches do not invalidate it", async () => {
    const c = (await classic()).access_token as string;
    const s = (await stable({ force_refresh: true })).access_token as string;
    await classic();
    sim.advance(OVERLAP_SECONDS);
    expect(sim.basicTokens.check(s)).toBeNull();
    expect(sim.basicTokens.check(c)?.errcode).toBe(40001);
  });

  it("force_refresh: a new token at once, 30 s apart (45011), 20 a day (45009)", async () => {
    const first = (await stable()).access_token;
    const forced = await stable({ force_refresh: true });
    expect(forced.access_token).not.toBe(first);
    expect((await stable({ force_refresh: true })).errcode).toBe(45011);
    sim.advance(30);
    expect((await stable({ force_refresh: true })).access_token).toBeTypeOf("string");
    sim.basicTokens.setQuota({ stableForce: 2 });
    sim.advance(30);
    expect((await stable({ force_refresh: true })).errcode).toBe(45009);
    // Without force the current token still comes back.
    expect((await stable()).access_token).toBeTypeOf("string");
  });

  it("checks method, body, grant_type, appid and secret", async () => {
    const get = await fetch(`${sim.url}/cgi-bin/stable_token`);
    expect(((await get.json()) as { errcode: number }).errcode).toBe(43002);
    const bad = await fetch(`${sim.url}/cgi-bin/stable_token`, { method: "POST", body: "{" });
    expect(((await bad.json()) as { errcode: number }).errcode).toBe(47001);
    expect((await stable({ grant_type: "x" })).errcode).toBe(40002);
    expect((await stable({ appid: "wx0000000000000000" })).errcode).toBe(40013);
    expect((await stable({ secret: "wrong" })).errcode).toBe(40125);
  });

  it("state and quota over HTTP", async () => {
    await classic();
    const res = await fetch(`${sim.url}/__sim/token/quota`, { method: "POST", body: JSON.stringify({ classic: 5 }) });
    const state = (await res.json()) as { today: { classic: number }; quota: { classic: number } };
    expect(state.today.classic).toBe(1);
    expect(state.quota.classic).toBe(5);
    const bad = await fetch(`${sim.url}/__sim/token/quota`, { method: "POST", body: JSON.stringify({ classic: -1 }) });
    expect(bad.status).toBe(400);
  });
});

describe("cgi-bin/get_api_domain_ip (the token probe) and refused tokens", () => {
  const probe = async (token: string) =>
    (await (await fetch(`${sim.url}/cgi-bin/get_api_domain_ip?access_token=${token}`)).json()) as Record<
      string,
      unknown
    >;

  it("answers a good token with the IP list and a refused one with 40001, while stable_token still hands it out", async () => {
    const token = (await stable()).access_token as string;
    expect((await probe(token)).ip_list).toEqual(expect.arrayContaining([expect.any(String)]));
    expect((await probe("never-issued")).errcode).toBe(40001);
    const refuse = await fetch(`${sim.url}/__sim/token/refuse`, {
      method: "POST",
      body: JSON.stringify({ value: token }),
    });
    expect(refuse.status).toBe(200);
    expect((await probe(token)).errcode).toBe(40001);
    expect((await stable()).access_token).toBe(token);
    // Only force_refresh replaces it.
    const forced = (await stable({ force_refresh: true })).access_token as string;
    expect(forced).not.toBe(token);
    expect((await probe(forced)).ip_list).toBeDefined();
  });
});

describe("backup origin", () => {
  it("serves the same routes and state; an outage of the primary leaves the backup working", async () => {
    const token = (await classic()).access_token as string;
    sim.setOutage("primary", { kind: "http", status: 502 });
    const down = await fetch(`${sim.url}/cgi-bin/token`);
    expect(down.status).toBe(502);
    const ticket = await fetch(`${sim.backupUrl}/cgi-bin/ticket/getticket?access_token=${token}&type=jsapi`);
    expect(((await ticket.json()) as { ticket?: string }).ticket).toBeTypeOf("string");
    sim.setOutage("primary", { kind: "refuse" });
    await expect(fetch(`${sim.url}/cgi-bin/token`)).rejects.toThrow();
    sim.setOutage("primary", null);
    expect((await classic()).access_token).toBeTypeOf("string");
    expect(sim.requests().map((r) => r.host)).toEqual(["primary", "primary", "backup", "primary", "primary"]);
  });
});
