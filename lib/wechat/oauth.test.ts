import { describe, expect, it } from "vitest";
import { WeChatApiError, WeChatTransportError } from "./errors";
import { ApiHosts } from "./hosts";
import { WeChatOAuth, generateState, isValidState, type WeChatOAuthConfig } from "./oauth";
import { recordingSleep, scriptedFetch, wechatResponse } from "@/test/support/wechat/scripted-fetch";

const config: WeChatOAuthConfig = {
  appId: "wx1234567890abcdef",
  appSecret: "SECRET_0123456789abcdef",
  oauthBase: "https://open.weixin.qq.com",
  apiBase: "https://api.weixin.qq.com",
};

const tokenBody = {
  access_token: "ACCESS_TOKEN_abc",
  expires_in: 7200,
  refresh_token: "REFRESH_TOKEN_def",
  openid: "oLVPpjqs9BhvzwPj5A-vTYAX3GLc",
  scope: "snsapi_userinfo",
};

const userBody = {
  openid: "oLVPpjqs9BhvzwPj5A-vTYAX3GLc",
  nickname: "小明🐱‍👤 Ünïcödé",
  sex: 1,
  province: "广东",
  city: "深圳",
  country: "中国",
  headimgurl: "https://thirdwx.qlogo.cn/mmopen/abc/132",
  privilege: ["chinaunicom"],
  unionid: "o6_bmasdasdsad6_2sgVt7hMZOPfL",
};

function client(fetch: typeof globalThis.fetch, overrides: Partial<WeChatOAuthConfig> = {}) {
  const sleep = recordingSleep();
  const oauth = new WeChatOAuth({ ...config, ...overrides }, { fetch, sleep, random: () => 0 });
  return { oauth, sleep };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("createAuthorizationURL", () => {
  const { oauth } = client(scriptedFetch(wechatResponse({})));

  it("writes the parameters in WeChat's required order and ends with #wechat_redirect", () => {
    const url = oauth.createAuthorizationURL({
      redirectUri: "https://h5.example.com/auth/callback",
      scope: "snsapi_base",
      state: "abc123XYZ",
    });
    expect(url).toBe(
      "https://open.weixin.qq.com/connect/oauth2/authorize" +
        "?appid=wx1234567890abcdef" +
        "&redirect_uri=https%3A%2F%2Fh5.example.com%2Fauth%2Fcallback" +
        "&response_type=code&scope=snsapi_base&state=abc123XYZ&connect_redirect=1#wechat_redirect",
    );
  });

  it("puts forcePopup after state and before connect_redirect", () => {
    const url = oauth.createAuthorizationURL({
      redirectUri: "https://h5.example.com/cb",
      scope: "snsapi_userinfo",
      state: "s",
      forcePopup: true,
    });
    expect(url).toMatch(/&scope=snsapi_userinfo&state=s&forcePopup=true&connect_redirect=1#wechat_redirect$/);
    expect(
      oauth.createAuthorizationURL({
        redirectUri: "https://h5.example.com/cb",
        scope: "snsapi_base",
        state: "s",
        forcePopup: false,
      }),
    ).not.toContain("forcePopup");
  });

  it("encodes a redirect_uri with its own query string and non-ASCII exactly once", () => {
    const redirectUri = "https://h5.example.com/cb?next=/我的/订单&x=1 2#frag";
    const url = oauth.createAuthorizationURL({ redirectUri, scope: "snsapi_base", state: "s1" });
    const encoded = url.slice(url.indexOf("redirect_uri=") + "redirect_uri=".length, url.indexOf("&response_type"));
    expect(encoded).toBe(encodeURIComponent(redirectUri));
    expect(encoded).not.toMatch(/[?&=#/ ]/);
    expect(encoded).not.toContain("%25"); // not double-encoded
    expect(decodeURIComponent(encoded)).toBe(redirectUri);
    // The only '#' is WeChat's required fragment.
    expect(url.split("#")).toHaveLength(2);
    expect(new URL(url).searchParams.get("redirect_uri")).toBe(redirectUri);
  });

  it("does not double the slash when oauthBase ends with one", () => {
    const { oauth: slashed } = client(scriptedFetch(wechatResponse({})), { oauthBase: "http://localhost:4000/wx//" });
    const url = slashed.createAuthorizationURL({
      redirectUri: "http://localhost:3000/cb",
      scope: "snsapi_base",
      state: "s",
    });
    expect(url.startsWith("http://localhost:4000/wx/connect/oauth2/authorize?appid=")).toBe(true);
  });

  it.each(["", "has space", "a-b", "a_b", "状态", "x".repeat(129), "a&b=c"])("rejects state %j", (state) => {
    expect(() =>
      oauth.createAuthorizationURL({ redirectUri: "https://h5.example.com/cb", scope: "snsapi_base", state }),
    ).toThrow(TypeError);
  });

  it("accepts a 128-character state", () => {
    const state = "A".repeat(128);
    expect(
      oauth.createAuthorizationURL({ redirectUri: "https://h5.example.com/cb", scope: "snsapi_base", state }),
    ).toContain(`&state=${state}&`);
  });

  it("rejects an unknown scope and a relative or non-http redirect_uri", () => {
    const base = { redirectUri: "https://h5.example.com/cb", state: "s" };
    expect(() => oauth.createAuthorizationURL({ ...base, scope: "snsapi_login" as never })).toThrow(TypeError);
    expect(() => oauth.createAuthorizationURL({ ...base, scope: "snsapi_base", redirectUri: "/cb" })).toThrow(
      TypeError,
    );
    expect(() =>
      oauth.createAuthorizationURL({ ...base, scope: "snsapi_base", redirectUri: "javascript:alert(1)" }),
    ).toThrow(TypeError);
  });
});

describe("constructor", () => {
  it("refuses empty credentials and bases that are not http(s) URLs", () => {
    const fetch = scriptedFetch(wechatResponse({}));
    expect(() => new WeChatOAuth({ ...config, appId: "" }, { fetch })).toThrow(TypeError);
    expect(() => new WeChatOAuth({ ...config, appSecret: " " }, { fetch })).toThrow(TypeError);
    expect(() => new WeChatOAuth({ ...config, apiBase: "api.weixin.qq.com" }, { fetch })).toThrow(TypeError);
    expect(() => new WeChatOAuth({ ...config, apiBase: "ftp://x" }, { fetch })).toThrow(TypeError);
    expect(() => new WeChatOAuth({ ...config, oauthBase: "https://x?y=1" }, { fetch })).toThrow(TypeError);
  });

  it("does not expose the appsecret when serialised or inspected", async () => {
    const oauth = new WeChatOAuth(config);
    expect(JSON.stringify(oauth)).not.toContain(config.appSecret);
    const { inspect } = await import("node:util");
    expect(inspect(oauth, { depth: 5 })).not.toContain(config.appSecret);
    expect(oauth.appId).toBe(config.appId);
  });
});

describe("isValidState / generateState", () => {
  it("isValidState follows ^[A-Za-z0-9]{1,128}$", () => {
    expect(isValidState("aZ09")).toBe(true);
    expect(isValidState("a".repeat(128))).toBe(true);
    expect(isValidState("a".repeat(129))).toBe(false);
    expect(isValidState("")).toBe(false);
    expect(isValidState("a\n")).toBe(false);
    expect(isValidState("ａ")).toBe(false); // full-width letter
  });

  it("generates alphanumeric states of the requested length", () => {
    const bytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    for (const length of [1, 16, 32, 128]) {
      const state = generateState(bytes, length);
      expect(state).toHaveLength(length);
      expect(isValidState(state)).toBe(true);
    }
    expect(generateState(bytes)).toHaveLength(32);
  });

  it("maps bytes to characters by index mod 62", () => {
    const state = generateState(() => Uint8Array.from([0, 25, 26, 51, 52, 61, 62, 247]), 8);
    expect(state).toBe("AZaz09A9");
  });

  it("rejects bytes >= 248 instead of folding them (which would bias A-H)", () => {
    const calls: number[] = [];
    const script = [Uint8Array.from([248, 255, 1, 250]), Uint8Array.from([249, 2, 3, 4])];
    const state = generateState((n) => {
      calls.push(n);
      return script[calls.length - 1] ?? new Uint8Array(n);
    }, 4);
    expect(state).toBe("BCDE");
    expect(calls).toHaveLength(2);
  });

  it("is uniform over the 62 characters for a uniform byte source", () => {
    // Feed every byte value equally often: accepted bytes 0..247 hit each character exactly 4 times.
    let next = 0;
    const all = (n: number) => Uint8Array.from({ length: n }, () => next++ % 256);
    const state = generateState(all, 124);
    const counts = new Map<string, number>();
    for (const ch of state) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect(new Set(counts.values())).toEqual(new Set([2]));
  });

  it("fails instead of looping forever on a broken byte source, and validates length", () => {
    expect(() => generateState((n) => new Uint8Array(n).fill(255))).toThrow(/unusable/);
    expect(() => generateState((n) => new Uint8Array(n), 0)).toThrow(RangeError);
    expect(() => generateState((n) => new Uint8Array(n), 129)).toThrow(RangeError);
    expect(() => generateState((n) => new Uint8Array(n), 1.5)).toThrow(RangeError);
  });
});

describe("exchangeCode", () => {
  it("calls /sns/oauth2/access_token with the documented parameters in order and maps the token", async () => {
    const fetch = scriptedFetch(wechatResponse({ ...tokenBody, unionid: "UNION_1", is_snapshotuser: 0 }));
    const { oauth } = client(fetch);
    const token = await oauth.exchangeCode("CODE_1");
    expect(fetch.requests[0]?.url.toString()).toBe(
      "https://api.weixin.qq.com/sns/oauth2/access_token?appid=wx1234567890abcdef&secret=SECRET_0123456789abcdef&code=CODE_1&grant_type=authorization_code",
    );
    expect(token).toEqual({
      accessToken: "ACCESS_TOKEN_abc",
      expiresIn: 7200,
      refreshToken: "REFRESH_TOKEN_def",
      openid: tokenBody.openid,
      scopes: ["snsapi_userinfo"],
      isSnapshotUser: false,
      unionid: "UNION_1",
    });
    expect(Object.isFrozen(token)).toBe(true);
  });

  it("keeps an apiBase path prefix and drops its trailing slash", async () => {
    const fetch = scriptedFetch(wechatResponse(tokenBody));
    const { oauth } = client(fetch, { apiBase: "http://127.0.0.1:4000/wechat/" });
    await oauth.exchangeCode("C");
    expect(fetch.requests[0]?.url.pathname).toBe("/wechat/sns/oauth2/access_token");
  });

  it("maps is_snapshotuser: 1 to isSnapshotUser: true", async () => {
    const { oauth } = client(scriptedFetch(wechatResponse({ ...tokenBody, is_snapshotuser: 1 })));
    expect((await oauth.exchangeCode("C")).isSnapshotUser).toBe(true);
  });

  it("gives unionid null when absent or empty, and isSnapshotUser false when absent", async () => {
    for (const body of [tokenBody, { ...tokenBody, unionid: "" }, { ...tokenBody, unionid: null }]) {
      const token = await client(scriptedFetch(wechatResponse(body))).oauth.exchangeCode("C");
      expect(token.unionid).toBeNull();
      expect(token.isSnapshotUser).toBe(false);
    }
  });

  it("splits a comma-separated scope", async () => {
    const { oauth } = client(scriptedFetch(wechatResponse({ ...tokenBody, scope: "snsapi_base,snsapi_userinfo" })));
    expect((await oauth.exchangeCode("C")).scopes).toEqual(["snsapi_base", "snsapi_userinfo"]);
  });

  it("tolerates a missing scope and a numeric-string expires_in", async () => {
    const { scope: _omit, ...noScope } = tokenBody;
    const { oauth } = client(scriptedFetch(wechatResponse({ ...noScope, expires_in: "7200" })));
    const token = await oauth.exchangeCode("C");
    expect(token.scopes).toEqual([]);
    expect(token.expiresIn).toBe(7200);
  });

  it.each([
    ["missing access_token", { ...tokenBody, access_token: undefined }],
    ["empty openid", { ...tokenBody, openid: "" }],
    ["zero expires_in", { ...tokenBody, expires_in: 0 }],
    ["negative expires_in", { ...tokenBody, expires_in: -5 }],
    ["non-numeric expires_in", { ...tokenBody, expires_in: "soon" }],
    ["empty refresh_token", { ...tokenBody, refresh_token: "" }],
    ["is_snapshotuser 2", { ...tokenBody, is_snapshotuser: 2 }],
    ["unionid a number", { ...tokenBody, unionid: 5 }],
  ])("rejects a malformed token body (%s) as bad_response", async (_name, body) => {
    const error = await rejection(client(scriptedFetch(wechatResponse(body))).oauth.exchangeCode("C"));
    expect(error).toBeInstanceOf(WeChatTransportError);
    expect(error).toMatchObject({ kind: "bad_response", endpoint: "/sns/oauth2/access_token" });
  });

  it("is never retried, not even on -1 busy (the code is single-use)", async () => {
    const fetch = scriptedFetch(wechatResponse({ errcode: -1, errmsg: "system error" }), wechatResponse(tokenBody));
    const { oauth, sleep } = client(fetch);
    const error = await rejection(oauth.exchangeCode("C"));
    expect(error).toMatchObject({ errcode: -1, info: { action: "retry" } });
    expect(fetch.requests).toHaveLength(1);
    expect(sleep.delays).toEqual([]);
  });

  it("is never retried on a network error either", async () => {
    const fetch = scriptedFetch(new TypeError("fetch failed"), wechatResponse(tokenBody));
    const error = await rejection(client(fetch).oauth.exchangeCode("C"));
    expect(error).toMatchObject({ kind: "network" });
    expect(fetch.requests).toHaveLength(1);
  });

  it.each([
    [40029, "invalid code"],
    [40163, "code been used"],
    [42003, "code expired"],
  ])("maps errcode %i (%s) to a reauthorize error", async (errcode, errmsg) => {
    const fetch = scriptedFetch(wechatResponse({ errcode, errmsg }));
    const error = await rejection(client(fetch).oauth.exchangeCode("C"));
    expect(error).toBeInstanceOf(WeChatApiError);
    expect(error).toMatchObject({ errcode, errmsg, info: { action: "reauthorize" } });
    expect(fetch.requests).toHaveLength(1);
  });

  it("keeps the appsecret and code out of every error", async () => {
    const fetches = [
      scriptedFetch(wechatResponse({ errcode: 40125, errmsg: `invalid appsecret ${config.appSecret}` })),
      scriptedFetch(
        new TypeError(
          `request to https://api.weixin.qq.com/sns/oauth2/access_token?secret=${config.appSecret}&code=THE_CODE failed`,
        ),
      ),
      scriptedFetch(wechatResponse("<html>THE_CODE</html>", { status: 500 })),
      scriptedFetch(wechatResponse({ ...tokenBody, expires_in: "THE_CODE" })),
    ];
    for (const fetch of fetches) {
      const error = (await rejection(client(fetch).oauth.exchangeCode("THE_CODE"))) as Error;
      const dump = [
        error.message,
        error.stack,
        JSON.stringify(error),
        String(error.cause),
        (error.cause as Error | undefined)?.stack,
      ].join("\n");
      expect(dump).not.toContain(config.appSecret);
      expect(dump).not.toContain("THE_CODE");
      expect(dump).toContain("/sns/oauth2/access_token");
    }
  });

  it("refuses an empty code without calling WeChat", async () => {
    const fetch = scriptedFetch(wechatResponse(tokenBody));
    await expect(client(fetch).oauth.exchangeCode("")).rejects.toThrow(TypeError);
    await expect(client(fetch).oauth.refreshToken("")).rejects.toThrow(TypeError);
    expect(fetch.requests).toHaveLength(0);
  });
});

describe("refreshToken", () => {
  it("calls /sns/oauth2/refresh_token with the documented parameters in order", async () => {
    const fetch = scriptedFetch(wechatResponse({ ...tokenBody, scope: "snsapi_base" }));
    const token = await client(fetch).oauth.refreshToken("RT+/=1");
    expect(fetch.requests[0]?.url.toString()).toBe(
      "https://api.weixin.qq.com/sns/oauth2/refresh_token?appid=wx1234567890abcdef&grant_type=refresh_token&refresh_token=RT%2B%2F%3D1",
    );
    expect(fetch.requests[0]?.url.searchParams.get("refresh_token")).toBe("RT+/=1");
    expect(token.scopes).toEqual(["snsapi_base"]);
  });

  it("retries -1 with backoff (idempotent)", async () => {
    const busy = wechatResponse({ errcode: -1, errmsg: "system error" });
    const fetch = scriptedFetch(busy, wechatResponse(tokenBody));
    const { oauth, sleep } = client(fetch);
    await expect(oauth.refreshToken("RT")).resolves.toMatchObject({ accessToken: "ACCESS_TOKEN_abc" });
    expect(fetch.requests).toHaveLength(2);
    expect(sleep.delays).toEqual([100]);
  });

  it.each([40030, 42002])("does not retry errcode %i and asks for reauthorization", async (errcode) => {
    const fetch = scriptedFetch(wechatResponse({ errcode, errmsg: "refresh token bad" }));
    const error = await rejection(client(fetch).oauth.refreshToken("RT"));
    expect(error).toMatchObject({ errcode, info: { action: "reauthorize" } });
    expect(fetch.requests).toHaveLength(1);
  });

  it("retries a 5xx", async () => {
    const fetch = scriptedFetch(wechatResponse("", { status: 500 }), wechatResponse(tokenBody));
    await expect(client(fetch).oauth.refreshToken("RT")).resolves.toMatchObject({ openid: tokenBody.openid });
    expect(fetch.requests).toHaveLength(2);
  });

  it("keeps the refresh_token out of errors", async () => {
    const fetch = scriptedFetch(new TypeError("GET /sns/oauth2/refresh_token?refresh_token=RT_secret_9 failed"));
    const error = (await rejection(client(fetch).oauth.refreshToken("RT_secret_9"))) as Error;
    expect(JSON.stringify(error) + error.message + error.stack + String(error.cause)).not.toContain("RT_secret_9");
  });
});

describe("getUserInfo", () => {
  it("calls /sns/userinfo and maps the profile, emoji and all", async () => {
    const fetch = scriptedFetch(wechatResponse(userBody));
    const info = await client(fetch).oauth.getUserInfo("AT", userBody.openid);
    expect(fetch.requests[0]?.url.toString()).toBe(
      `https://api.weixin.qq.com/sns/userinfo?access_token=AT&openid=${userBody.openid}&lang=zh_CN`,
    );
    expect(info).toEqual(userBody);
    expect(info.nickname).toBe("小明🐱‍👤 Ünïcödé");
  });

  it("replaces what no database can store (U+0000, a lone surrogate) instead of failing the login", async () => {
    const fetch = scriptedFetch(wechatResponse({ ...userBody, nickname: "a\u0000b\uD83D", city: "\uDE00深圳" }));
    const info = await client(fetch).oauth.getUserInfo("AT", userBody.openid);
    expect(info.nickname).toBe("a\uFFFDb\uFFFD");
    expect(info.city).toBe("\uFFFD深圳");
  });

  it("passes lang through", async () => {
    const fetch = scriptedFetch(wechatResponse(userBody));
    await client(fetch).oauth.getUserInfo("AT", userBody.openid, "en");
    expect(fetch.requests[0]?.url.searchParams.get("lang")).toBe("en");
  });

  it("fills defaults: unionid null, privilege [], empty strings, sex coerced", async () => {
    const fetch = scriptedFetch(
      wechatResponse({
        openid: userBody.openid,
        nickname: "",
        sex: "2",
        province: "",
        city: "",
        country: "",
        headimgurl: "",
      }),
    );
    const info = await client(fetch).oauth.getUserInfo("AT", userBody.openid);
    expect(info).toEqual({
      openid: userBody.openid,
      nickname: "",
      sex: 2,
      province: "",
      city: "",
      country: "",
      headimgurl: "",
      privilege: [],
      unionid: null,
    });
  });

  it.each([
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 0],
    [null, 0],
    ["1", 1],
    ["x", 0],
  ])("coerces sex %j to %i", async (sex, expected) => {
    const info = await client(scriptedFetch(wechatResponse({ ...userBody, sex }))).oauth.getUserInfo(
      "AT",
      userBody.openid,
    );
    expect(info.sex).toBe(expected);
  });

  it.each([
    ["missing openid", { ...userBody, openid: undefined }],
    ["nickname a number", { ...userBody, nickname: 12 }],
    ["privilege not an array", { ...userBody, privilege: "x" }],
  ])("rejects a malformed profile (%s) as bad_response", async (_name, body) => {
    const error = await rejection(client(scriptedFetch(wechatResponse(body))).oauth.getUserInfo("AT", userBody.openid));
    expect(error).toMatchObject({ kind: "bad_response", endpoint: "/sns/userinfo" });
  });

  it("rejects a profile for a different openid", async () => {
    const error = await rejection(
      client(scriptedFetch(wechatResponse(userBody))).oauth.getUserInfo("AT", "someone-else"),
    );
    expect(error).toBeInstanceOf(WeChatTransportError);
    expect(error).toMatchObject({ kind: "bad_response" });
  });

  it("maps 48001 (token only has snsapi_base) to reauthorize, without retrying", async () => {
    const fetch = scriptedFetch(wechatResponse({ errcode: 48001, errmsg: "api unauthorized" }));
    const error = await rejection(client(fetch).oauth.getUserInfo("AT", userBody.openid));
    expect(error).toBeInstanceOf(WeChatApiError);
    expect((error as Error).message).toBe("WeChat /sns/userinfo failed: 48001 api unauthorized");
    expect(error).toMatchObject({ info: { action: "reauthorize" } });
    expect(fetch.requests).toHaveLength(1);
  });

  it("maps 42001 to refresh_token, without retrying, and hides the access_token", async () => {
    const fetch = scriptedFetch(
      wechatResponse({ errcode: 42001, errmsg: "access_token expired, hints: [AT_secret_7]" }),
    );
    const error = (await rejection(client(fetch).oauth.getUserInfo("AT_secret_7", userBody.openid))) as WeChatApiError;
    expect(error.info.action).toBe("refresh_token");
    expect(fetch.requests).toHaveLength(1);
    expect(JSON.stringify(error) + error.message + error.stack).not.toContain("AT_secret_7");
  });

  it("retries -1", async () => {
    const fetch = scriptedFetch(wechatResponse({ errcode: -1, errmsg: "system error" }), wechatResponse(userBody));
    await expect(client(fetch).oauth.getUserInfo("AT", userBody.openid)).resolves.toMatchObject({
      nickname: userBody.nickname,
    });
    expect(fetch.requests).toHaveLength(2);
  });
});

describe("checkToken", () => {
  it("calls /sns/auth and returns true on errcode 0", async () => {
    const fetch = scriptedFetch(wechatResponse({ errcode: 0, errmsg: "ok" }));
    await expect(client(fetch).oauth.checkToken("AT", "OPENID")).resolves.toBe(true);
    expect(fetch.requests[0]?.url.toString()).toBe("https://api.weixin.qq.com/sns/auth?access_token=AT&openid=OPENID");
  });

  it.each([40001, 40003, 40014, 42001])("returns false on token error %i", async (errcode) => {
    const fetch = scriptedFetch(wechatResponse({ errcode, errmsg: "invalid" }));
    await expect(client(fetch).oauth.checkToken("AT", "OPENID")).resolves.toBe(false);
    expect(fetch.requests).toHaveLength(1);
  });

  it("throws on other errcodes", async () => {
    const error = await rejection(
      client(scriptedFetch(wechatResponse({ errcode: 40164, errmsg: "invalid ip" }))).oauth.checkToken("AT", "OPENID"),
    );
    expect(error).toMatchObject({ errcode: 40164, info: { action: "fix_config" } });
  });

  it("throws on transport errors after retrying", async () => {
    const fetch = scriptedFetch(wechatResponse("", { status: 503 }));
    const error = await rejection(client(fetch).oauth.checkToken("AT", "OPENID"));
    expect(error).toMatchObject({ kind: "http_status", status: 503 });
    expect(fetch.requests).toHaveLength(3);
  });

  it("rejects a body that is neither success nor an errcode", async () => {
    const error = await rejection(
      client(scriptedFetch(wechatResponse({ errmsg: 5 }))).oauth.checkToken("AT", "OPENID"),
    );
    expect(error).toMatchObject({ kind: "bad_response" });
  });
});

describe("failover to the backup host", () => {
  const hosts = () =>
    new ApiHosts({ primary: "https://api.weixin.qq.com", backup: "https://api2.weixin.qq.com", now: () => 0 });

  it("sends userinfo and refresh to api2 when api answers 502, and keeps using api2", async () => {
    const shared = hosts();
    const fetch = scriptedFetch(
      wechatResponse({}, { status: 502 }),
      wechatResponse(userBody),
      wechatResponse(tokenBody),
    );
    const { oauth } = client(fetch, { apiBase: shared });
    expect(await oauth.getUserInfo("AT", userBody.openid)).toEqual(userBody);
    await oauth.refreshToken("RT");
    expect(fetch.requests.map((r) => `${r.url.host}${r.url.pathname}`)).toEqual([
      "api.weixin.qq.com/sns/userinfo",
      "api2.weixin.qq.com/sns/userinfo",
      "api2.weixin.qq.com/sns/oauth2/refresh_token",
    ]);
    expect(shared.snapshot().current).toBe("https://api2.weixin.qq.com");
  });

  it("never sends the code exchange twice: a host failure fails it, and moves the next call to api2", async () => {
    const shared = hosts();
    const fetch = scriptedFetch(new TypeError("fetch failed"), wechatResponse(tokenBody));
    const { oauth } = client(fetch, { apiBase: shared });
    await expect(oauth.exchangeCode("CODE")).rejects.toBeInstanceOf(WeChatTransportError);
    expect(fetch.requests).toHaveLength(1);
    await oauth.exchangeCode("CODE2");
    expect(fetch.requests[1]?.url.host).toBe("api2.weixin.qq.com");
  });
});
