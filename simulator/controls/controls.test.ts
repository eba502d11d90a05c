import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SIM_DEFAULTS, startSimulator, type RecordedRequest, type Simulator } from "../server";
import {
  CALLBACK,
  START_TIME,
  authorizeUrl,
  baseCode,
  exchange,
  str,
  submitConsent,
  userinfoCode,
} from "../test-helpers";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ startTime: START_TIME });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const TOKEN_PATH = "/sns/oauth2/access_token";

async function control(path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

describe("failNext", () => {
  it("busy: WeChat's system error, then back to normal; the code is not consumed", async () => {
    const code = await baseCode(sim);
    sim.failNext(TOKEN_PATH, { kind: "busy" });
    const busy = await exchange(sim, code);
    expect(busy.status).toBe(200);
    expect(busy.contentType).toBe("text/plain");
    expect(busy.body).toEqual({ errcode: -1, errmsg: "system error" });
    expect((await exchange(sim, code)).body.access_token).toBeDefined();
  });

  it("errcode: a scripted errcode with WeChat's text, or the given errmsg verbatim", async () => {
    sim.failNext(TOKEN_PATH, { kind: "errcode", errcode: 40029 });
    sim.failNext(TOKEN_PATH, { kind: "errcode", errcode: 45009, errmsg: "reach max api daily quota limit" });
    const first = await exchange(sim, "whatever");
    expect(first.body.errcode).toBe(40029);
    expect(str(first.body, "errmsg")).toMatch(/^invalid code, rid: /);
    expect((await exchange(sim, "whatever")).body).toEqual({
      errcode: 45009,
      errmsg: "reach max api daily quota limit",
    });
  });

  it("times: fails that many requests, in the order scripted, on that path only", async () => {
    sim.failNext("/sns/userinfo", { kind: "busy" }, 2);
    sim.failNext("/sns/userinfo", { kind: "http", status: 503 });
    const code = await userinfoCode(sim, "zhangsan");
    const { body } = await exchange(sim, code); // another path: unaffected
    const url = `${sim.url}/sns/userinfo?access_token=${str(body, "access_token")}&openid=${str(body, "openid")}&lang=zh_CN`;
    expect(await (await fetch(url)).json()).toMatchObject({ errcode: -1 });
    expect(await (await fetch(url)).json()).toMatchObject({ errcode: -1 });
    expect((await fetch(url)).status).toBe(503);
    expect(await (await fetch(url)).json()).toMatchObject({ nickname: "张三" });
  });

  it("http: an HTML gateway error with that status", async () => {
    sim.failNext(TOKEN_PATH, { kind: "http", status: 502 });
    const res = await fetch(`${sim.url}${TOKEN_PATH}?appid=x`);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(await res.text()).toContain("502 Bad Gateway");
  });

  it("timeout: never answers; the client's abort releases it and the next request is served", async () => {
    sim.failNext(TOKEN_PATH, { kind: "timeout" });
    const code = await baseCode(sim);
    await expect(
      fetch(`${sim.url}${TOKEN_PATH}?appid=${SIM_DEFAULTS.appId}`, { signal: AbortSignal.timeout(200) }),
    ).rejects.toMatchObject({ name: "TimeoutError" });
    expect((await exchange(sim, code)).body.access_token).toBeDefined();
  });

  it("timeout: close() resolves while a request hangs, and the client sees the connection drop", async () => {
    const other = await startSimulator({ startTime: START_TIME });
    other.failNext("/sns/auth", { kind: "timeout" });
    const pending = fetch(`${other.url}/sns/auth?access_token=a&openid=b`);
    // The request is recorded when it arrives; wait for that instead of sleeping.
    await expect.poll(() => other.requests().length).toBe(1);
    await expect(other.close()).resolves.toBeUndefined();
    await expect(pending).rejects.toThrow();
    await expect(other.close()).resolves.toBeUndefined(); // idempotent
  });

  it("applies to the authorize page as WeChat's error page", async () => {
    sim.failNext("/connect/oauth2/authorize", { kind: "errcode", errcode: 10009 });
    const res = await fetch(authorizeUrl(sim));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-sim-error")).toBe("10009");
    expect(await res.text()).toContain("操作太频繁了");
    expect((await fetch(authorizeUrl(sim))).headers.get("x-sim-page")).toBe("redirect");
  });

  it("refuses malformed scripts", () => {
    expect(() => sim.failNext("sns/userinfo", { kind: "busy" })).toThrow(/path/);
    expect(() => sim.failNext("/sns/userinfo", { kind: "http", status: 200 })).toThrow(/status/);
    expect(() => sim.failNext("/sns/userinfo", { kind: "busy" }, 0)).toThrow(/times/);
    expect(() => sim.failNext("/sns/userinfo", { kind: "nope" } as never)).toThrow(/kind/);
  });
});

describe("clock", () => {
  it("is frozen at startTime and moves only by advance()", async () => {
    expect(sim.now()).toBe(START_TIME);
    sim.advance(1.5);
    expect(sim.now()).toBe(START_TIME + 1500);
    expect(() => sim.advance(-1)).toThrow();
    sim.reset();
    expect(sim.now()).toBe(START_TIME);
  });

  it("follows real time when no startTime is given", async () => {
    const live = await startSimulator();
    try {
      const before = Date.now();
      const now = live.now();
      expect(now).toBeGreaterThanOrEqual(before);
      expect(now).toBeLessThanOrEqual(Date.now());
      live.advance(60);
      expect(live.now()).toBeGreaterThanOrEqual(before + 60_000);
    } finally {
      await live.close();
    }
  });
});

describe("requests()", () => {
  it("records every request but controls, avatars and favicon, in order, with raw and decoded query, body and clock time", async () => {
    await control("/__sim/health");
    sim.advance(10);
    const code = await baseCode(sim, { state: "abc" });
    await submitConsent(sim, {
      appid: SIM_DEFAULTS.appId,
      redirect_uri: CALLBACK,
      response_type: "code",
      scope: "snsapi_userinfo",
      user: "lisi",
      action: "allow",
    });
    sim.advance(5);
    await exchange(sim, code);
    await fetch(`${sim.url}/__sim/avatar/zhangsan.svg`);
    expect((await fetch(`${sim.url}/favicon.ico`)).status).toBe(204);

    const log = sim.requests();
    expect(log.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /connect/oauth2/authorize",
      "POST /connect/oauth2/authorize/confirm",
      "GET /sns/oauth2/access_token",
    ]);
    const [authorize, confirm, token] = log as [RecordedRequest, RecordedRequest, RecordedRequest];
    expect(authorize.rawQuery).toBe(
      `appid=${SIM_DEFAULTS.appId}&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=snsapi_base&state=abc`,
    );
    expect(authorize.query.redirect_uri).toBe(CALLBACK);
    expect(authorize.at).toBe(START_TIME + 10_000);
    expect(confirm.body).toContain("user=lisi");
    expect(token.query).toMatchObject({ code, grant_type: "authorization_code", secret: SIM_DEFAULTS.appSecret });
    expect(token.at).toBe(START_TIME + 15_000);

    sim.clearRequests();
    expect(sim.requests()).toEqual([]);
  });

  it("returns a copy", async () => {
    await fetch(`${sim.url}/sns/auth`);
    sim.requests().pop();
    expect(sim.requests()).toHaveLength(1);
  });
});

describe("reset()", () => {
  it("forgets codes, tokens, failures, requests, the clock offset and the selected user", async () => {
    sim.selectUser("lisi");
    const code = await baseCode(sim);
    sim.failNext(TOKEN_PATH, { kind: "busy" });
    sim.advance(100);
    sim.reset();
    expect(sim.requests()).toEqual([]);
    expect(sim.now()).toBe(START_TIME);
    expect((await exchange(sim, code)).body.errcode).toBe(40029);
    const { body } = await exchange(sim, await baseCode(sim));
    expect(body.openid).toBe(sim.users.find((u) => u.key === "zhangsan")?.openid);
  });

  it("selectUser refuses unknown keys", () => {
    expect(() => sim.selectUser("nobody")).toThrow(/unknown user/);
  });
});

describe("HTTP controls", () => {
  it("health answers {ok:true} and is not recorded", async () => {
    const res = await fetch(`${sim.url}/__sim/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"ok":true}');
    expect(sim.requests()).toEqual([]);
  });

  it("select-user, advance, fail-next, revoke, requests, clear-requests, reset, users", async () => {
    expect(await control("/__sim/select-user", { key: "emoji" })).toEqual({ status: 200, json: { ok: true } });
    const code = await baseCode(sim);
    const { body } = await exchange(sim, code);
    expect(body.openid).toBe(sim.users.find((u) => u.key === "emoji")?.openid);

    const advanced = await control("/__sim/advance", { seconds: 7201 });
    expect(advanced).toEqual({ status: 200, json: { ok: true, now: START_TIME + 7_201_000 } });
    const auth = `${sim.url}/sns/auth?access_token=${str(body, "access_token")}&openid=${str(body, "openid")}`;
    expect(await (await fetch(auth)).json()).toMatchObject({ errcode: 42001 });

    expect((await control("/__sim/fail-next", { path: "/sns/auth", failure: { kind: "busy" }, times: 1 })).status).toBe(
      200,
    );
    expect(await (await fetch(auth)).json()).toEqual({ errcode: -1, errmsg: "system error" });

    const refreshUrl = `${sim.url}/sns/oauth2/refresh_token?appid=${SIM_DEFAULTS.appId}&grant_type=refresh_token&refresh_token=${str(body, "refresh_token")}`;
    expect(await (await fetch(refreshUrl)).json()).toMatchObject({ access_token: expect.any(String) });
    expect((await control("/__sim/revoke", { openid: str(body, "openid") })).status).toBe(200);
    expect(await (await fetch(refreshUrl)).json()).toMatchObject({ errcode: 40030 });

    const requests = await control("/__sim/requests");
    expect((requests.json as RecordedRequest[]).map((r) => r.path)).toEqual([
      "/connect/oauth2/authorize",
      "/sns/oauth2/access_token",
      "/sns/auth",
      "/sns/auth",
      "/sns/oauth2/refresh_token",
      "/sns/oauth2/refresh_token",
    ]);
    expect(await control("/__sim/clear-requests", {})).toEqual({ status: 200, json: { ok: true } });
    expect((await control("/__sim/requests")).json).toEqual([]);

    const users = (await control("/__sim/users")).json as Array<{ key: string; openid: string }>;
    expect(users.map((u) => u.key)).toContain("snapshot");

    expect(await control("/__sim/reset", {})).toEqual({ status: 200, json: { ok: true } });
    expect(sim.now()).toBe(START_TIME);
  });

  it("answers bad input with 400, unknown routes with 404, wrong methods with 405", async () => {
    expect((await control("/__sim/select-user", { key: "nobody" })).status).toBe(400);
    expect((await control("/__sim/select-user", {})).status).toBe(400);
    expect((await control("/__sim/fail-next", { path: "/sns/auth", failure: { kind: "later" } })).status).toBe(400);
    expect(
      (await control("/__sim/fail-next", { path: "/sns/auth", failure: { kind: "busy" }, times: "2" })).status,
    ).toBe(400);
    expect((await control("/__sim/advance", { seconds: "ten" })).status).toBe(400);
    expect((await control("/__sim/revoke", { openid: "o_nobody" })).status).toBe(400);
    const badJson = await fetch(`${sim.url}/__sim/reset`, { method: "POST", body: "{" });
    expect(badJson.status).toBe(400);
    expect((await control("/__sim/nothing")).status).toBe(404);
    expect((await fetch(`${sim.url}/__sim/reset`)).status).toBe(405);
  });
});

describe("options", () => {
  it("custom appid, secret, redirect domains and users", async () => {
    const custom = await startSimulator({
      startTime: START_TIME,
      appId: "wxcustom000000001",
      appSecret: "customsecret",
      redirectDomains: ["App.Example.test"],
      users: [
        {
          key: "solo",
          openid: "oSOLO00000000000000000000000",
          nickname: "独",
          sex: 0,
          province: "",
          city: "",
          country: "",
          headimgurl: "",
        },
      ],
    });
    try {
      const query = (uri: string) =>
        `${custom.url}/connect/oauth2/authorize?appid=wxcustom000000001&redirect_uri=${encodeURIComponent(uri)}&response_type=code&scope=snsapi_base`;
      expect((await fetch(query("http://localhost:3000/cb"))).headers.get("x-sim-error")).toBe("10003");
      const page = await (await fetch(query("https://app.example.test/cb"))).text();
      const code = /code=([A-Za-z0-9]+)/.exec(page)?.[1] ?? "";
      const res = await fetch(
        `${custom.url}/sns/oauth2/access_token?appid=wxcustom000000001&secret=customsecret&code=${code}&grant_type=authorization_code`,
      );
      expect(await res.json()).toMatchObject({ openid: "oSOLO00000000000000000000000" });
      expect(custom.users.map((u) => u.key)).toEqual(["solo"]);
    } finally {
      await custom.close();
    }
  });

  it("refuses redirect domains with a scheme or port", async () => {
    await expect(startSimulator({ redirectDomains: ["http://localhost"] })).rejects.toThrow(/bare hostnames/);
  });
});
