import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appendToRedirect } from "./authorize";
import { SIM_DEFAULTS, startSimulator, type Simulator } from "../server";
import { CALLBACK, START_TIME, authorizeUrl, exchange, extractRedirect, submitConsent } from "../test-helpers";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ startTime: START_TIME });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const APPID = SIM_DEFAULTS.appId;
const ENC_CALLBACK = encodeURIComponent(CALLBACK);

async function getAuthorize(
  rawQuery: string,
): Promise<{ status: number; error: string | null; page: string | null; html: string }> {
  const res = await fetch(`${sim.url}/connect/oauth2/authorize?${rawQuery}`);
  return {
    status: res.status,
    error: res.headers.get("x-sim-error"),
    page: res.headers.get("x-sim-page"),
    html: await res.text(),
  };
}

describe("authorize link: parameter order", () => {
  const valid = `appid=${APPID}&redirect_uri=${ENC_CALLBACK}&response_type=code&scope=snsapi_base`;

  it.each([
    ["without state", valid],
    ["with state", `${valid}&state=abc123`],
    ["with both extras", `${valid}&state=abc&forcePopup=true&connect_redirect=1`],
    ["with an extra and no state", `${valid}&connect_redirect=1`],
  ])("accepts the documented order %s", async (_name, query) => {
    const res = await getAuthorize(query);
    expect(res.error).toBeNull();
    expect(res.page).toBe("redirect");
  });

  it.each([
    [
      "scope before response_type",
      `appid=${APPID}&redirect_uri=${ENC_CALLBACK}&scope=snsapi_base&response_type=code`,
      "param_order",
    ],
    [
      "redirect_uri first",
      `redirect_uri=${ENC_CALLBACK}&appid=${APPID}&response_type=code&scope=snsapi_base`,
      "param_order",
    ],
    [
      "state before scope",
      `appid=${APPID}&redirect_uri=${ENC_CALLBACK}&response_type=code&state=a&scope=snsapi_base`,
      "param_order",
    ],
    ["an extra before state", `${valid}&connect_redirect=1&state=abc`, "param_order"],
    ["extras swapped", `${valid}&state=a&connect_redirect=1&forcePopup=true`, "param_order"],
    ["an unknown parameter", `${valid}&state=a&lang=zh_CN`, "unknown_param"],
    ["a trailing &", `${valid}&state=a&`, "unknown_param"],
    ["a repeated parameter", `${valid}&scope=snsapi_base`, "duplicate_param"],
  ])("refuses %s", async (_name, query, reason) => {
    const res = await getAuthorize(query);
    expect(res.status).toBe(200); // WeChat shows its error page with 200
    expect(res.error).toBe(reason);
    expect(res.html).toContain("Oops! Something went wrong:(");
    expect(res.page).toBeNull();
  });
});

describe("authorize link: WeChat error codes", () => {
  const rest = `&response_type=code&scope=snsapi_base&state=x`;
  const withUri = (uri: string) => `appid=${APPID}&redirect_uri=${uri}${rest}`;

  it.each([
    ["10012 for an empty appid", `appid=&redirect_uri=${ENC_CALLBACK}${rest}`, "10012", "appid不能为空"],
    ["10012 for a missing appid", `redirect_uri=${ENC_CALLBACK}${rest}`, "10012", "appid不能为空"],
    [
      "10016 for the Open Platform appid",
      `appid=${SIM_DEFAULTS.openPlatformAppId}&redirect_uri=${ENC_CALLBACK}${rest}`,
      "10016",
      "开放平台",
    ],
    ["10011 for an empty redirect_uri", withUri(""), "10011", "redirect_uri不能为空"],
    ["10003 for another domain", withUri(encodeURIComponent("https://evil.example.com/cb")), "10003", "域名"],
    ["10003 for a subdomain", withUri(encodeURIComponent("http://app.localhost:3000/cb")), "10003", "域名"],
    ["10003 for a lookalike host", withUri(encodeURIComponent("http://localhost.evil.com/cb")), "10003", "域名"],
    ["10003 for userinfo tricks", withUri(encodeURIComponent("http://localhost@evil.com/cb")), "10003", "域名"],
    [
      "10010 for an empty scope",
      `appid=${APPID}&redirect_uri=${ENC_CALLBACK}&response_type=code&scope=&state=x`,
      "10010",
      "scope不能为空",
    ],
    [
      "10005 for another scope",
      `appid=${APPID}&redirect_uri=${ENC_CALLBACK}&response_type=code&scope=snsapi_login&state=x`,
      "10005",
      "scope",
    ],
  ])("%s", async (_name, query, code, text) => {
    const res = await getAuthorize(query);
    expect(res.status).toBe(200);
    expect(res.error).toBe(code);
    expect(res.html).toContain(`错误码：${code}`);
    expect(res.html).toContain(text);
  });

  it.each([
    ["an unknown appid", `appid=wx0000000000000000&redirect_uri=${ENC_CALLBACK}${rest}`, "appid"],
    ["an unencoded redirect_uri", withUri(CALLBACK), "redirect_uri_encoding"],
    [
      "a half-encoded redirect_uri (quote() with safe='/')",
      withUri("http%3A//localhost%3A3000/cb"),
      "redirect_uri_encoding",
    ],
    ["a double-encoded redirect_uri", withUri(encodeURIComponent(ENC_CALLBACK)), "redirect_uri_encoding"],
    ["a malformed escape", withUri("http%3A%2F%2Flocalhost%2F%E4%B8"), "redirect_uri_encoding"],
    ["a relative redirect_uri", withUri(encodeURIComponent("/api/callback")), "redirect_uri_invalid"],
    ["a non-http redirect_uri", withUri(encodeURIComponent("ftp://localhost/cb")), "redirect_uri_invalid"],
    [
      "response_type=token",
      `appid=${APPID}&redirect_uri=${ENC_CALLBACK}&response_type=token&scope=snsapi_base`,
      "response_type",
    ],
    ["a missing response_type", `appid=${APPID}&redirect_uri=${ENC_CALLBACK}&scope=snsapi_base`, "response_type"],
    [
      "a state with a dash",
      `appid=${APPID}&redirect_uri=${ENC_CALLBACK}&response_type=code&scope=snsapi_base&state=a-b`,
      "state",
    ],
    [
      "a state of 129 bytes",
      `appid=${APPID}&redirect_uri=${ENC_CALLBACK}&response_type=code&scope=snsapi_base&state=${"a".repeat(129)}`,
      "state",
    ],
    [
      "a non-ASCII state",
      `appid=${APPID}&redirect_uri=${ENC_CALLBACK}&response_type=code&scope=snsapi_base&state=%E4%B8%AD`,
      "state",
    ],
  ])("shows the error page without a WeChat code for %s", async (_name, query, reason) => {
    const res = await getAuthorize(query);
    expect(res.status).toBe(200);
    expect(res.error).toBe(reason);
    expect(res.html).toContain("Oops! Something went wrong:(");
    expect(res.html).not.toContain("错误码");
  });

  it("accepts a state of exactly 128 bytes, any port on an allowed host, and https", async () => {
    const state = "Ab1".repeat(42) + "xy";
    expect(state).toHaveLength(128);
    const res = await fetch(authorizeUrl(sim, { redirectUri: "https://127.0.0.1:8443/cb", state }));
    expect(res.headers.get("x-sim-error")).toBeNull();
    expect(new URL(extractRedirect(await res.text())).searchParams.get("state")).toBe(state);
  });

  it("refuses non-GET methods on the authorize page", async () => {
    const res = await fetch(authorizeUrl(sim), { method: "POST" });
    expect(res.status).toBe(405);
  });
});

/**
 * Run the page's inline script against a minimal fake DOM: enough to see what the gate does
 * with and without the fragment, without a browser.
 */
function runPageScript(html: string, hash: string) {
  const data = /<script id="sim-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
  const script = /<script>\n([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (data === undefined || script === undefined) throw new Error("page has no gate script");
  const elements: Record<string, { hidden: boolean; textContent?: string }> = {
    "sim-data": { hidden: false, textContent: data },
    "sim-app": { hidden: true },
    "sim-gate-error": { hidden: true },
  };
  const navigations: string[] = [];
  runInNewContext(script, {
    JSON,
    location: { hash, replace: (url: string) => navigations.push(url) },
    document: { getElementById: (id: string) => elements[id] ?? null },
  });
  return { appShown: !elements["sim-app"]?.hidden, errorShown: !elements["sim-gate-error"]?.hidden, navigations };
}

describe("authorize page: #wechat_redirect gate", () => {
  it("the silent page navigates only when the fragment is present", async () => {
    const html = await (await fetch(authorizeUrl(sim, { state: "s" }))).text();
    const target = extractRedirect(html);
    expect(runPageScript(html, "#wechat_redirect")).toEqual({
      appShown: true,
      errorShown: false,
      navigations: [target],
    });
    expect(runPageScript(html, "")).toEqual({ appShown: false, errorShown: true, navigations: [] });
    expect(runPageScript(html, "#wechat")).toEqual({ appShown: false, errorShown: true, navigations: [] });
    expect(html).toContain("链接缺少 #wechat_redirect");
  });

  it("the consent page shows the form only when the fragment is present", async () => {
    const html = await (await fetch(authorizeUrl(sim, { scope: "snsapi_userinfo", state: "s" }))).text();
    expect(html).toMatch(/<div id="sim-app" hidden>/);
    expect(runPageScript(html, "#wechat_redirect")).toEqual({ appShown: true, errorShown: false, navigations: [] });
    expect(runPageScript(html, "")).toEqual({ appShown: false, errorShown: true, navigations: [] });
  });
});

describe("snsapi_base: silent flow", () => {
  it("redirects to the callback with a code and the state, and the code exchanges", async () => {
    const res = await fetch(authorizeUrl(sim, { state: "Xyz123" }));
    expect(res.headers.get("x-sim-page")).toBe("redirect");
    const target = new URL(extractRedirect(await res.text()));
    expect(`${target.origin}${target.pathname}`).toBe(CALLBACK);
    expect(target.searchParams.get("state")).toBe("Xyz123");
    const code = target.searchParams.get("code") ?? "";
    expect(code).toMatch(/^[A-Za-z0-9]{32}$/);

    const { body } = await exchange(sim, code);
    expect(body.scope).toBe("snsapi_base");
    expect(body.openid).toBe(sim.users.find((u) => u.key === "zhangsan")?.openid);
  });

  it("omits state when the link had none, and echoes an empty one", async () => {
    const none = extractRedirect(await (await fetch(authorizeUrl(sim))).text());
    expect(none).toMatch(/^http:\/\/localhost:3000\/api\/auth\/wechat\/callback\?code=[A-Za-z0-9]{32}$/);
    const empty = extractRedirect(await (await fetch(authorizeUrl(sim, { state: "" }))).text());
    expect(empty).toMatch(/\?code=[A-Za-z0-9]{32}&state=$/);
  });

  it("keeps the callback's own query string and puts the code before a fragment", async () => {
    const withQuery = extractRedirect(
      await (
        await fetch(authorizeUrl(sim, { redirectUri: "http://localhost:3000/cb?next=%2Fme&x=1", state: "s" }))
      ).text(),
    );
    expect(withQuery).toMatch(/^http:\/\/localhost:3000\/cb\?next=%2Fme&x=1&code=[A-Za-z0-9]{32}&state=s$/);
    const withFragment = extractRedirect(
      await (await fetch(authorizeUrl(sim, { redirectUri: "http://localhost:3000/#/profile", state: "s" }))).text(),
    );
    expect(withFragment).toMatch(/^http:\/\/localhost:3000\/\?code=[A-Za-z0-9]{32}&state=s#\/profile$/);
  });

  it("authorizes as the selected user, or the one in the sim_user cookie", async () => {
    sim.selectUser("lisi");
    const asSelected = new URL(extractRedirect(await (await fetch(authorizeUrl(sim))).text()));
    expect((await exchange(sim, asSelected.searchParams.get("code") ?? "")).body.openid).toBe(
      sim.users.find((u) => u.key === "lisi")?.openid,
    );

    const res = await fetch(authorizeUrl(sim), { headers: { Cookie: "other=1; sim_user=emoji" } });
    const asCookie = new URL(extractRedirect(await res.text()));
    expect((await exchange(sim, asCookie.searchParams.get("code") ?? "")).body.openid).toBe(
      sim.users.find((u) => u.key === "emoji")?.openid,
    );
  });
});

describe("snsapi_userinfo: consent page", () => {
  const form = {
    appid: APPID,
    redirect_uri: CALLBACK,
    response_type: "code",
    scope: "snsapi_userinfo",
    state: "st8",
  };

  it("shows the request, a chooser of every test user and the two buttons", async () => {
    sim.selectUser("emoji");
    const res = await fetch(authorizeUrl(sim, { scope: "snsapi_userinfo", state: "st8" }));
    expect(res.headers.get("x-sim-page")).toBe("consent");
    const html = await res.text();
    expect(html).toContain("请求获取你的昵称、头像");
    for (const user of sim.users) expect(html).toContain(`data-testid="sim-user-${user.key}"`);
    expect(html).toContain("🌸小花👩‍👩‍👧");
    expect(html).toContain("𠮷野家𪚥龘");
    expect(html).toMatch(/<input type="radio" name="user" value="emoji" checked>/);
    expect(html).toContain('data-testid="sim-allow">允许</button>');
    expect(html).toContain('data-testid="sim-deny">拒绝</button>');
    expect(html).toContain(`<input type="hidden" name="redirect_uri" value="${CALLBACK}">`);
    expect(html).toContain('<input type="hidden" name="state" value="st8">');
    expect(html).toContain('action="/connect/oauth2/authorize/confirm"');
  });

  it("allow: 302 to the callback with code and state, remembers the user in a cookie", async () => {
    const res = await submitConsent(sim, { ...form, user: "lisi", action: "allow" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get("state")).toBe("st8");
    expect(res.headers.get("set-cookie")).toMatch(/^sim_user=lisi; Path=\/; HttpOnly; SameSite=Lax$/);

    const { body } = await exchange(sim, location.searchParams.get("code") ?? "");
    expect(body.scope).toBe("snsapi_userinfo");
    expect(body.openid).toBe(sim.users.find((u) => u.key === "lisi")?.openid);

    // The next silent authorization from this browser is the same person.
    const next = await fetch(authorizeUrl(sim), { headers: { Cookie: "sim_user=lisi" } });
    const code = new URL(extractRedirect(await next.text())).searchParams.get("code") ?? "";
    expect((await exchange(sim, code)).body.openid).toBe(body.openid);
  });

  it("the consent page preselects the user of the cookie", async () => {
    const res = await fetch(authorizeUrl(sim, { scope: "snsapi_userinfo" }), { headers: { Cookie: "sim_user=rare" } });
    expect(await res.text()).toMatch(/value="rare" checked>/);
  });

  it("deny: 302 to the callback with the state and no code", async () => {
    const res = await submitConsent(sim, { ...form, user: "zhangsan", action: "deny" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${CALLBACK}?state=st8`);
    expect(res.headers.get("set-cookie")).toBeNull();

    const { state: _state, ...withoutState } = form;
    const bare = await submitConsent(sim, { ...withoutState, user: "zhangsan", action: "deny" });
    expect(bare.headers.get("location")).toBe(CALLBACK);
  });

  it("re-validates the form, since hidden fields can be tampered with", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...form, redirect_uri: "https://evil.example.com/cb", user: "zhangsan", action: "allow" }, "10003"],
      [{ ...form, appid: SIM_DEFAULTS.openPlatformAppId, user: "zhangsan", action: "allow" }, "10016"],
      [{ ...form, scope: "snsapi_base", user: "zhangsan", action: "allow" }, "scope"],
      [{ ...form, state: "no-dash", user: "zhangsan", action: "allow" }, "state"],
      [{ ...form, user: "nobody", action: "allow" }, "user"],
      [{ ...form, user: "zhangsan", action: "maybe" }, "action"],
    ];
    for (const [fields, expected] of cases) {
      const res = await submitConsent(sim, fields);
      expect(res.status, JSON.stringify(fields)).toBe(200);
      expect(res.headers.get("x-sim-error"), JSON.stringify(fields)).toBe(expected);
    }
    const json = await fetch(`${sim.url}/connect/oauth2/authorize/confirm`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...form, user: "zhangsan", action: "allow" }),
    });
    expect(json.headers.get("x-sim-error")).toBe("form");
  });
});

describe("appendToRedirect", () => {
  it.each([
    ["http://h/cb", "http://h/cb?code=C&state=S"],
    ["http://h/cb?", "http://h/cb?code=C&state=S"],
    ["http://h/cb?a=1", "http://h/cb?a=1&code=C&state=S"],
    ["http://h/cb?a=1&", "http://h/cb?a=1&code=C&state=S"],
    ["http://h/#/x?y=1", "http://h/?code=C&state=S#/x?y=1"],
  ])("%s", (uri, expected) => {
    expect(
      appendToRedirect(uri, [
        ["code", "C"],
        ["state", "S"],
      ]),
    ).toBe(expected);
  });
});

describe("fixtures", () => {
  it("have WeChat-shaped, unique, stable ids and avatars served by the simulator", async () => {
    const keys = sim.users.map((u) => u.key);
    expect(keys).toEqual(expect.arrayContaining(["zhangsan", "lisi", "emoji", "rare", "snapshot", "noavatar"]));
    const ids = sim.users.flatMap((u) => [u.openid, ...(u.unionid ? [u.unionid] : [])]);
    for (const id of ids) expect(id).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Stable across restarts: e2e tests and seeded databases may hard-code them.
    expect(sim.users.find((u) => u.key === "zhangsan")?.openid).toBe("o85sq3gEX33-MNJ7iyWuOdWl4eLf");

    const zhangsan = sim.users.find((u) => u.key === "zhangsan");
    expect(zhangsan?.headimgurl).toBe(`${sim.url}/__sim/avatar/zhangsan.svg`);
    const avatar = await fetch(zhangsan?.headimgurl ?? "");
    expect(avatar.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect(await avatar.text()).toContain("张");
    expect(sim.users.find((u) => u.key === "noavatar")?.headimgurl).toBe("");
    expect((await fetch(`${sim.url}/__sim/avatar/nobody.svg`)).status).toBe(404);
  });
});
