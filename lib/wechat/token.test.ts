import { describe, expect, it } from "vitest";
import { ApiHosts } from "./hosts";
import { recordingSleep, scriptedFetch, wechatResponse } from "@/test/support/wechat/scripted-fetch";
import {
  REFRESH_POLICIES,
  WeChatTokenClient,
  beijingDayStart,
  cardTicketCall,
  isTicketKind,
  ticketFetch,
  fatalBackoffMs,
  quotaThresholdCrossed,
  refreshDueAt,
} from "./token";

const P = "https://api.weixin.qq.com";
const B = "https://api2.weixin.qq.com";

function client(fetch: typeof globalThis.fetch) {
  return new WeChatTokenClient(
    { appId: "wxapp", appSecret: "s3cr3t-value", hosts: new ApiHosts({ primary: P, backup: B, now: () => 0 }) },
    { fetch, sleep: recordingSleep() },
  );
}

describe("WeChatTokenClient", () => {
  it("classic: GET cgi-bin/token with grant_type, appid, secret; text/plain JSON", async () => {
    const fetch = scriptedFetch(wechatResponse({ access_token: "AT", expires_in: 7200 }));
    expect(await client(fetch).fetchClassicToken()).toEqual({ value: "AT", expiresIn: 7200, host: P });
    const url = fetch.requests[0]!.url;
    expect(url.pathname).toBe("/cgi-bin/token");
    expect([...url.searchParams.keys()]).toEqual(["grant_type", "appid", "secret"]);
  });

  it("stable: POST JSON with force_refresh; fails over to the backup", async () => {
    const fetch = scriptedFetch(
      new TypeError("fetch failed"),
      wechatResponse({ access_token: "AT", expires_in: "300" }),
    );
    expect(await client(fetch).fetchStableToken(true)).toEqual({ value: "AT", expiresIn: 300, host: B });
    expect(fetch.requests[1]!.method).toBe("POST");
    expect(JSON.parse(fetch.requests[1]!.body ?? "")).toEqual({
      grant_type: "client_credential",
      appid: "wxapp",
      secret: "s3cr3t-value",
      force_refresh: true,
    });
  });

  it("an error never carries the secret", async () => {
    const fetch = scriptedFetch(wechatResponse({ errcode: 40125, errmsg: "invalid appsecret s3cr3t-value" }));
    const error = await client(fetch)
      .fetchClassicToken()
      .catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ errcode: 40125 });
    expect(String((error as Error).message)).not.toContain("s3cr3t-value");
  });

  it("refuses a body without a token", async () => {
    const fetch = scriptedFetch(wechatResponse({ expires_in: 7200 }));
    await expect(client(fetch).fetchClassicToken()).rejects.toMatchObject({ kind: "bad_response" });
  });
});

describe("scheduling rules", () => {
  it("classic refreshes 15-20 minutes ahead: longer than the 5-minute overlap", () => {
    const expiresAt = 10_000_000;
    expect(refreshDueAt(expiresAt, REFRESH_POLICIES.classic, 0)).toBe(expiresAt - 15 * 60_000);
    expect(refreshDueAt(expiresAt, REFRESH_POLICIES.classic, 0.999999)).toBe(expiresAt - 20 * 60_000);
    expect(REFRESH_POLICIES.classic.leadMs).toBeGreaterThan(5 * 60_000);
  });

  it("stable asks inside WeChat's last 5 minutes, where a new token is issued", () => {
    const expiresAt = 10_000_000;
    for (const r of [0, 0.5, 0.99]) {
      const left = expiresAt - refreshDueAt(expiresAt, REFRESH_POLICIES.stable, r);
      expect(left).toBeGreaterThanOrEqual(230_000);
      expect(left).toBeLessThan(300_000);
    }
  });

  it("quota warnings at 50% and 80% (and 100%) exactly once each", () => {
    const crossed = Array.from({ length: 2000 }, (_, i) => quotaThresholdCrossed(i + 1, 2000)).filter(Boolean);
    expect(crossed).toEqual([50, 80, 100]);
    expect(quotaThresholdCrossed(10, 20)).toBe(50);
    expect(quotaThresholdCrossed(16, 20)).toBe(80);
  });

  it("fatal errors back off: quota 10 min, 45011 30 s, configuration 1 min", () => {
    expect(fatalBackoffMs(45009)).toBe(600_000);
    expect(fatalBackoffMs(45011)).toBe(30_000);
    expect(fatalBackoffMs(40125)).toBe(60_000);
  });

  it("days start at midnight in Beijing", () => {
    expect(new Date(beijingDayStart(Date.UTC(2026, 0, 15, 15, 59))).toISOString()).toBe("2026-01-14T16:00:00.000Z");
    expect(new Date(beijingDayStart(Date.UTC(2026, 0, 15, 16, 0))).toISOString()).toBe("2026-01-15T16:00:00.000Z");
  });
});

describe("tickets", () => {
  it("each ticket kind asks getticket for its own type and is recorded under its own api", () => {
    expect(ticketFetch("jsapi_ticket")).toMatchObject({ api: "ticket", call: { query: { type: "jsapi" } } });
    expect(ticketFetch("card_ticket")).toMatchObject({ api: "card_ticket", call: { query: { type: "wx_card" } } });
    expect(cardTicketCall).toMatchObject({ method: "GET", path: "/cgi-bin/ticket/getticket", idempotent: true });
    expect(isTicketKind("access_token")).toBe(false);
    expect(isTicketKind("card_ticket")).toBe(true);
    expect(cardTicketCall.schema.parse({ errcode: 0, ticket: "t", expires_in: "7200" })).toEqual({
      value: "t",
      expiresIn: 7200,
    });
  });
});
