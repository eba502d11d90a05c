import { describe, expect, it } from "vitest";
import { z } from "zod";
import { WeChatApiError, WeChatTransportError } from "./errors";
import { ApiHosts, callWithFailover, isHostFailure } from "./hosts";
import { recordingSleep, scriptedFetch, wechatResponse } from "@/test/support/wechat/scripted-fetch";

const P = "https://api.weixin.qq.com";
const B = "https://api2.weixin.qq.com";
const schema = z.object({ ok: z.literal(true) });

function setup(now = { ms: 0 }) {
  const hosts = new ApiHosts({ primary: P, backup: B, now: () => now.ms, cooldownMs: 30_000 });
  return { hosts, now };
}

const build = (idempotent: boolean) => (base: string) => ({
  url: new URL(`${base}/cgi-bin/x`),
  schema,
  idempotent,
  endpoint: "/cgi-bin/x",
});

const hostOf = (f: { requests: { url: URL }[] }) => f.requests.map((r) => r.url.origin);

describe("ApiHosts", () => {
  it("uses the primary; after a failure the backup for the cooldown; then the primary again", () => {
    const { hosts, now } = setup();
    expect(hosts.base()).toBe(P);
    hosts.reportFailure(P);
    expect(hosts.base()).toBe(B);
    expect(hosts.snapshot().primaryDownUntil).toBe(30_000);
    now.ms = 30_000;
    expect(hosts.base()).toBe(P);
  });

  it("without a distinct backup there is nothing to fail over to", () => {
    const hosts = new ApiHosts({ primary: P, backup: `${P}/` });
    hosts.reportFailure(P);
    expect(hosts.base()).toBe(P);
  });

  it("when both failed, the one that failed longer ago is tried", () => {
    const { hosts, now } = setup();
    hosts.reportFailure(P);
    now.ms = 1000;
    hosts.reportFailure(B);
    expect(hosts.base()).toBe(P);
  });

  it("host failures are transport errors and 5xx, not WeChat errcodes or 4xx", () => {
    const t = (kind: "timeout" | "network" | "http_status" | "bad_response", status?: number) =>
      new WeChatTransportError({ kind, endpoint: "/x", message: "m", status });
    expect(isHostFailure(t("timeout"))).toBe(true);
    expect(isHostFailure(t("network"))).toBe(true);
    expect(isHostFailure(t("http_status", 502))).toBe(true);
    expect(isHostFailure(t("http_status", 404))).toBe(false);
    expect(isHostFailure(t("bad_response"))).toBe(false);
    expect(isHostFailure(new WeChatApiError({ errcode: -1, errmsg: "", endpoint: "/x" }))).toBe(false);
  });
});

describe("callWithFailover", () => {
  it("an idempotent call that meets a 502 goes to the backup at once, and later calls stay there", async () => {
    const { hosts } = setup();
    const sleep = recordingSleep();
    const fetch = scriptedFetch(wechatResponse("bad gateway", { status: 502 }), wechatResponse({ ok: true }));
    const result = await callWithFailover(hosts, build(true), { fetch, sleep });
    expect(result.host).toBe(B);
    expect(sleep.delays).toEqual([]);
    await callWithFailover(hosts, build(true), { fetch, sleep });
    expect(hostOf(fetch)).toEqual([P, B, B]);
  });

  it("comes back to the primary after the cooldown", async () => {
    const { hosts, now } = setup();
    const fetch = scriptedFetch(new TypeError("fetch failed"), wechatResponse({ ok: true }));
    await callWithFailover(hosts, build(true), { fetch, sleep: recordingSleep() });
    now.ms = 30_001;
    const again = await callWithFailover(hosts, build(true), { fetch, sleep: recordingSleep() });
    expect(again.host).toBe(P);
    expect(hostOf(fetch)).toEqual([P, B, P]);
  });

  it("-1 is retried with backoff on the same host; a non-idempotent call is never sent twice", async () => {
    const busy = wechatResponse({ errcode: -1, errmsg: "system error" });
    const sleep = recordingSleep();
    const fetch = scriptedFetch(busy, wechatResponse({ ok: true }));
    const { hosts } = setup();
    expect((await callWithFailover(hosts, build(true), { fetch, sleep, random: () => 0 })).host).toBe(P);
    expect(sleep.delays).toEqual([100]);
    const once = scriptedFetch(busy);
    await expect(callWithFailover(setup().hosts, build(false), { fetch: once, sleep })).rejects.toMatchObject({
      errcode: -1,
    });
    expect(once.requests).toHaveLength(1);
  });

  it("a non-idempotent call's host failure is thrown but moves the next call to the backup", async () => {
    const { hosts } = setup();
    const fetch = scriptedFetch(wechatResponse("", { status: 503 }), wechatResponse({ ok: true }));
    await expect(callWithFailover(hosts, build(false), { fetch })).rejects.toBeInstanceOf(WeChatTransportError);
    expect((await callWithFailover(hosts, build(false), { fetch })).host).toBe(B);
  });

  it.each([40013, 40125, 40164, 45009])("errcode %i is thrown at once, never retried", async (errcode) => {
    const fetch = scriptedFetch(wechatResponse({ errcode, errmsg: "x" }));
    await expect(
      callWithFailover(setup().hosts, build(true), { fetch, sleep: recordingSleep() }),
    ).rejects.toMatchObject({ errcode });
    expect(fetch.requests).toHaveLength(1);
  });

  it("gives up after `retries` extra attempts when both hosts are down", async () => {
    const fetch = scriptedFetch(new TypeError("fetch failed"));
    await expect(
      callWithFailover(setup().hosts, build(true), { fetch, sleep: recordingSleep(), retries: 2 }),
    ).rejects.toMatchObject({ kind: "network" });
    expect(hostOf(fetch)).toEqual([P, B, P]);
  });
});
