import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { START_TIME } from "../test-helpers";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ startTime: START_TIME });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function getTicket(token: string, type = "jsapi"): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.url}/cgi-bin/ticket/getticket?access_token=${token}&type=${type}`);
  expect(res.headers.get("content-type")).toBe("text/plain");
  return (await res.json()) as Record<string, unknown>;
}

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

describe("cgi-bin/ticket/getticket", () => {
  it("needs a valid access_token and type=jsapi; returns errcode 0 and a 7200 s ticket", async () => {
    expect((await getTicket("nope")).errcode).toBe(40001);
    const token = sim.basicTokens.issue().value;
    expect((await getTicket(token, "other")).errcode).toBe(40097);
    const body = await getTicket(token);
    expect(body).toMatchObject({ errcode: 0, errmsg: "ok", expires_in: 7200 });
    expect(sim.tickets.isValid(body.ticket as string)).toBe(true);
  });

  it("a new ticket retires the previous one after 5 minutes; the daily quota gives 45009", async () => {
    const token = sim.basicTokens.issue().value;
    const first = (await getTicket(token)).ticket as string;
    await getTicket(token);
    sim.advance(299);
    expect(sim.tickets.isValid(first)).toBe(true);
    sim.advance(1);
    expect(sim.tickets.isValid(first)).toBe(false);
    sim.tickets.setQuota(2);
    expect((await getTicket(token)).errcode).toBe(45009);
  });

  it("type=wx_card is a series of its own: neither type's ticket is the other's, nor retires it", async () => {
    const token = sim.basicTokens.issue().value;
    const jsapi = (await getTicket(token)).ticket as string;
    const card = await getTicket(token, "wx_card");
    expect(card).toMatchObject({ errcode: 0, errmsg: "ok", expires_in: 7200 });
    const cardTicket = card.ticket as string;
    expect(cardTicket).not.toBe(jsapi);
    expect(sim.tickets.isValid(cardTicket, "wx_card")).toBe(true);
    expect(sim.tickets.isValid(cardTicket)).toBe(false);
    expect(sim.tickets.isValid(jsapi, "wx_card")).toBe(false);
    expect(sim.tickets.currentTicket("wx_card")).toBe(cardTicket);
    // A new card ticket leaves the jsapi ticket as it was; a new jsapi ticket leaves the card ticket.
    await getTicket(token, "wx_card");
    await getTicket(token);
    sim.advance(300);
    expect(sim.tickets.isValid(jsapi)).toBe(false);
    expect(sim.tickets.isValid(cardTicket, "wx_card")).toBe(false);
    expect(sim.tickets.validTickets("wx_card")).toEqual([sim.tickets.currentTicket("wx_card")]);
    expect(sim.tickets.state()).toMatchObject({ today: 2, jsapi: { today: 2 }, wx_card: { today: 2 } });
  });

  it("a wx_card ticket does not sign a wx.config", async () => {
    const token = sim.basicTokens.issue().value;
    const ticket = (await getTicket(token, "wx_card")).ticket as string;
    const url = "http://localhost:3000/me";
    const signature = sha1(`jsapi_ticket=${ticket}&noncestr=abc&timestamp=1700000000&url=${url}`);
    expect(sim.tickets.verify({ url, nonceStr: "abc", timestamp: 1700000000, signature })).toBe(false);
  });

  it("verifies a wx.config signature (url without its fragment) over HTTP", async () => {
    const token = sim.basicTokens.issue().value;
    const ticket = (await getTicket(token)).ticket as string;
    const url = "http://localhost:3000/me?x=1";
    const signature = sha1(`jsapi_ticket=${ticket}&noncestr=abc&timestamp=1700000000&url=${url}`);
    const verify = (body: unknown) =>
      fetch(`${sim.url}/__sim/ticket/verify`, { method: "POST", body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<{ valid: boolean }>,
      );
    expect((await verify({ url: `${url}#top`, nonceStr: "abc", timestamp: 1700000000, signature })).valid).toBe(true);
    expect((await verify({ url, nonceStr: "abd", timestamp: 1700000000, signature })).valid).toBe(false);
    expect(SIM_DEFAULTS.appId).toMatch(/^wx/);
  });
});
