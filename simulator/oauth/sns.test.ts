import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { START_TIME, baseCode, callApi, exchange, refresh, str, userinfo, userinfoCode } from "../test-helpers";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ startTime: START_TIME });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const DAY = 24 * 3600;
const RID = /, rid: [0-9a-f]+-[0-9a-f]{8}-[0-9a-f]{8}$/;

function user(key: string) {
  const found = sim.users.find((u) => u.key === key);
  if (!found) throw new Error(`no fixture ${key}`);
  return found;
}

/** Tokens for `key` through the consent flow (snsapi_userinfo). */
async function userinfoTokens(key: string) {
  const { body } = await exchange(sim, await userinfoCode(sim, key));
  return {
    accessToken: str(body, "access_token"),
    refreshToken: str(body, "refresh_token"),
    openid: str(body, "openid"),
  };
}

describe("/sns/oauth2/access_token", () => {
  it("returns WeChat's token shape as text/plain with HTTP 200", async () => {
    const res = await exchange(sim, await baseCode(sim));
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("text/plain");
    expect(Object.keys(res.body)).toEqual(["access_token", "expires_in", "refresh_token", "openid", "scope"]);
    expect(res.body.expires_in).toBe(7200);
    expect(res.body.openid).toBe(user("zhangsan").openid);
    expect(str(res.body, "access_token")).toMatch(/^[A-Za-z0-9_-]{64,}$/);
    expect(res.body.access_token).not.toBe(res.body.refresh_token);
  });

  it("errors also come as text/plain with HTTP 200", async () => {
    const res = await exchange(sim, "nosuchcode");
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("text/plain");
    expect(res.body.errcode).toBe(40029);
    expect(str(res.body, "errmsg")).toMatch(/^invalid code, rid: /);
    expect(str(res.body, "errmsg")).toMatch(RID);
  });

  it.each([
    ["a missing appid", { appid: "" }, 40013],
    ["an unknown appid", { appid: "wx0000000000000000" }, 40013],
    ["a missing secret", { secret: "" }, 41004],
    ["a wrong secret", { secret: "0".repeat(32) }, 40125],
    ["a wrong grant_type", { grant_type: "client_credential" }, 40002],
    ["a missing code", { code: "" }, 41008],
  ])("refuses %s", async (_name, overrides, errcode) => {
    const code = await baseCode(sim);
    expect((await exchange(sim, code, overrides)).body.errcode).toBe(errcode);
    // A refused exchange does not consume the code.
    expect((await exchange(sim, code)).body.access_token).toBeDefined();
  });

  it("a code is single-use: the second exchange fails 40163", async () => {
    const code = await baseCode(sim);
    expect((await exchange(sim, code)).body.access_token).toBeDefined();
    const second = await exchange(sim, code);
    expect(second.body.errcode).toBe(40163);
    expect(str(second.body, "errmsg")).toMatch(/^code been used, rid: /);
  });

  it("a code expires after 5 minutes of simulator time (40029)", async () => {
    const fresh = await baseCode(sim);
    const stale = await baseCode(sim);
    sim.advance(299);
    expect((await exchange(sim, fresh)).body.access_token).toBeDefined();
    sim.advance(2);
    expect((await exchange(sim, stale)).body.errcode).toBe(40029);
  });

  it("unionid only with snsapi_userinfo and only for users who have one", async () => {
    sim.selectUser("zhangsan");
    expect((await exchange(sim, await baseCode(sim))).body).not.toHaveProperty("unionid");
    expect((await exchange(sim, await userinfoCode(sim, "zhangsan"))).body.unionid).toBe(user("zhangsan").unionid);
    expect((await exchange(sim, await userinfoCode(sim, "lisi"))).body).not.toHaveProperty("unionid");
    expect((await exchange(sim, await userinfoCode(sim, "rare"))).body).not.toHaveProperty("unionid");
  });

  it("flags snapshot-page users with is_snapshotuser: 1, and nobody else", async () => {
    const snap = await exchange(sim, await userinfoCode(sim, "snapshot"));
    expect(snap.body.is_snapshotuser).toBe(1);
    expect(snap.body.openid).toBe(user("snapshot").openid);
    sim.selectUser("snapshot");
    expect((await exchange(sim, await baseCode(sim))).body.is_snapshotuser).toBe(1);
    expect((await exchange(sim, await userinfoCode(sim, "zhangsan"))).body).not.toHaveProperty("is_snapshotuser");
  });
});

describe("/sns/oauth2/refresh_token", () => {
  it("gives a new access token and the same refresh_token; the old access token still works", async () => {
    const first = await userinfoTokens("emoji");
    sim.advance(3600);
    const res = await refresh(sim, first.refreshToken);
    expect(res.contentType).toBe("text/plain");
    expect(res.body.refresh_token).toBe(first.refreshToken);
    expect(res.body.expires_in).toBe(7200);
    expect(res.body.scope).toBe("snsapi_userinfo");
    expect(res.body.unionid).toBe(user("emoji").unionid);
    const second = str(res.body, "access_token");
    expect(second).not.toBe(first.accessToken);

    expect((await userinfo(sim, first.accessToken, first.openid)).body.nickname).toBe(user("emoji").nickname);
    // The old token dies at its own expiry, the new one lives on.
    sim.advance(3601);
    expect((await userinfo(sim, first.accessToken, first.openid)).body.errcode).toBe(42001);
    expect((await userinfo(sim, second, first.openid)).body.nickname).toBe(user("emoji").nickname);
  });

  it("the refresh_token's 30 days are not extended by refreshing (42002 after)", async () => {
    const { refreshToken } = await userinfoTokens("zhangsan");
    sim.advance(29 * DAY);
    expect((await refresh(sim, refreshToken)).body.access_token).toBeDefined();
    sim.advance(DAY + 1);
    const res = await refresh(sim, refreshToken);
    expect(res.body.errcode).toBe(42002);
    expect(str(res.body, "errmsg")).toMatch(/^refresh_token expired, rid: /);
  });

  it("fails 42002 after 30 days + 1 s", async () => {
    const { refreshToken } = await userinfoTokens("zhangsan");
    sim.advance(30 * DAY + 1);
    expect((await refresh(sim, refreshToken)).body.errcode).toBe(42002);
  });

  it.each([
    ["an unknown appid", { appid: "wx0000000000000000" }, 40013],
    ["a wrong grant_type", { grant_type: "authorization_code" }, 40002],
    ["a missing refresh_token", { refresh_token: "" }, 41003],
    ["an unknown refresh_token", { refresh_token: "nope" }, 40030],
  ])("refuses %s", async (_name, overrides, errcode) => {
    const { refreshToken } = await userinfoTokens("zhangsan");
    expect((await refresh(sim, refreshToken, overrides)).body.errcode).toBe(errcode);
  });

  it("after revoke: refresh fails 40030, access tokens 40001; a new authorization works again", async () => {
    const tokens = await userinfoTokens("zhangsan");
    const other = await userinfoTokens("lisi");
    sim.revoke(tokens.openid);
    expect((await refresh(sim, tokens.refreshToken)).body.errcode).toBe(40030);
    expect((await userinfo(sim, tokens.accessToken, tokens.openid)).body.errcode).toBe(40001);
    expect(
      (await callApi(sim, "/sns/auth", { access_token: tokens.accessToken, openid: tokens.openid })).body.errcode,
    ).toBe(40001);
    // Only that user's grants are gone.
    expect((await refresh(sim, other.refreshToken)).body.access_token).toBeDefined();
    const again = await userinfoTokens("zhangsan");
    expect((await userinfo(sim, again.accessToken, again.openid)).body.openid).toBe(tokens.openid);
  });

  it("revoke refuses an unknown openid", () => {
    expect(() => sim.revoke("o_nobody")).toThrow(/unknown openid/);
  });
});

describe("/sns/userinfo", () => {
  it("returns the profile with privilege [] and unionid when the user has one", async () => {
    const { accessToken, openid } = await userinfoTokens("zhangsan");
    const res = await userinfo(sim, accessToken, openid, "zh_CN");
    expect(res.contentType).toBe("text/plain");
    expect(res.body).toEqual({
      openid,
      nickname: "张三",
      sex: 1,
      province: "广东",
      city: "深圳",
      country: "中国",
      headimgurl: `${sim.url}/__sim/avatar/zhangsan.svg`,
      privilege: [],
      unionid: user("zhangsan").unionid,
    });
  });

  it("carries emoji, ZWJ sequences and characters outside the BMP intact", async () => {
    const emoji = await userinfoTokens("emoji");
    expect((await userinfo(sim, emoji.accessToken, emoji.openid)).body.nickname).toBe("🌸小花👩‍👩‍👧✌️");
    const rare = await userinfoTokens("rare");
    const body = (await userinfo(sim, rare.accessToken, rare.openid)).body;
    expect(body.nickname).toBe("𠮷野家𪚥龘");
    expect(body).not.toHaveProperty("unionid");
    expect(body.province).toBe("");
  });

  it("returns an empty headimgurl for a user without avatar", async () => {
    const { accessToken, openid } = await userinfoTokens("noavatar");
    expect((await userinfo(sim, accessToken, openid)).body.headimgurl).toBe("");
  });

  it("localizes the region by lang, answers in English without lang, refuses unknown lang (40002)", async () => {
    const { accessToken, openid } = await userinfoTokens("zhangsan");
    expect((await userinfo(sim, accessToken, openid, "zh_TW")).body.province).toBe("廣東");
    expect((await userinfo(sim, accessToken, openid, "en")).body.country).toBe("China");
    expect((await userinfo(sim, accessToken, openid, null)).body.province).toBe("Guangdong");
    const bad = await userinfo(sim, accessToken, openid, "fr");
    expect(bad.body.errcode).toBe(40002);
    expect(str(bad.body, "errmsg")).toMatch(/^invalid lang, rid: /);
  });

  it("48001 for a token granted only snsapi_base", async () => {
    const { body } = await exchange(sim, await baseCode(sim));
    const res = await userinfo(sim, str(body, "access_token"), str(body, "openid"));
    expect(res.body.errcode).toBe(48001);
    expect(str(res.body, "errmsg")).toMatch(/^api unauthorized, rid: /);
  });

  it("40003 when the openid is not the token's", async () => {
    const { accessToken } = await userinfoTokens("zhangsan");
    expect((await userinfo(sim, accessToken, user("lisi").openid)).body.errcode).toBe(40003);
  });

  it("42001 once the access token is older than 7200 s", async () => {
    const { accessToken, openid } = await userinfoTokens("zhangsan");
    sim.advance(7199);
    expect((await userinfo(sim, accessToken, openid)).body.nickname).toBe("张三");
    sim.advance(2);
    const res = await userinfo(sim, accessToken, openid);
    expect(res.body.errcode).toBe(42001);
    expect(str(res.body, "errmsg")).toMatch(/^access_token expired, rid: /);
  });

  it("40001 for an unknown token, 41001 / 41009 for missing parameters", async () => {
    const { accessToken, openid } = await userinfoTokens("zhangsan");
    expect((await userinfo(sim, "forged", openid)).body.errcode).toBe(40001);
    expect((await callApi(sim, "/sns/userinfo", { openid, lang: "zh_CN" })).body.errcode).toBe(41001);
    expect((await callApi(sim, "/sns/userinfo", { access_token: accessToken, lang: "zh_CN" })).body.errcode).toBe(
      41009,
    );
  });
});

describe("/sns/auth", () => {
  const auth = (accessToken: string, openid: string) =>
    callApi(sim, "/sns/auth", { access_token: accessToken, openid });

  it("ok for a live token (base scope too), then 40003 / 40001 / 42001", async () => {
    const { body } = await exchange(sim, await baseCode(sim));
    const accessToken = str(body, "access_token");
    const openid = str(body, "openid");
    const res = await auth(accessToken, openid);
    expect(res.contentType).toBe("text/plain");
    expect(res.body).toEqual({ errcode: 0, errmsg: "ok" });
    expect((await auth(accessToken, user("lisi").openid)).body.errcode).toBe(40003);
    expect((await auth("forged", openid)).body.errcode).toBe(40001);
    sim.advance(7200);
    expect((await auth(accessToken, openid)).body.errcode).toBe(42001);
  });
});

describe("unknown paths", () => {
  it("404", async () => {
    const res = await fetch(`${sim.url}/sns/nothing?appid=${SIM_DEFAULTS.appId}`);
    expect(res.status).toBe(404);
    expect((await fetch(`${sim.url}/cgi-bin/nothing`)).status).toBe(404);
  });
});
