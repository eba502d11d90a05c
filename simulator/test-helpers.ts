/**
 * Helpers for the simulator's own tests: they play the app's part with plain fetch, written
 * independently of lib/ on purpose.
 */
import { SIM_DEFAULTS, type Simulator } from "./server";

export const START_TIME = Date.UTC(2026, 0, 15, 8, 0, 0);
export const CALLBACK = "http://localhost:3000/api/auth/wechat/callback";

export interface AuthorizeParams {
  appid?: string;
  redirectUri?: string;
  scope?: string;
  state?: string;
}

/** A well-formed authorize URL (parameter order as WeChat requires, redirect_uri encoded once). */
export function authorizeUrl(sim: Simulator, params: AuthorizeParams = {}, withFragment = true): string {
  const appid = params.appid ?? SIM_DEFAULTS.appId;
  const redirectUri = params.redirectUri ?? CALLBACK;
  const scope = params.scope ?? "snsapi_base";
  const state = params.state === undefined ? "" : `&state=${params.state}`;
  return (
    `${sim.url}/connect/oauth2/authorize?appid=${appid}&redirect_uri=${encodeURIComponent(redirectUri)}` +
    `&response_type=code&scope=${scope}${state}${withFragment ? "#wechat_redirect" : ""}`
  );
}

/** The target the silent-redirect page's script navigates to. */
export function extractRedirect(html: string): string {
  const match = /<script id="sim-data" type="application\/json">(.*?)<\/script>/s.exec(html);
  if (!match?.[1]) throw new Error("no sim-data in page");
  const data = JSON.parse(match[1]) as { target?: unknown };
  if (typeof data.target !== "string") throw new Error("no redirect target in page");
  return data.target;
}

/** Run the silent snsapi_base flow and return the code WeChat would hand the callback. */
export async function baseCode(sim: Simulator, params: AuthorizeParams = {}): Promise<string> {
  const res = await fetch(authorizeUrl(sim, { ...params, scope: "snsapi_base" }));
  const target = new URL(extractRedirect(await res.text()));
  const code = target.searchParams.get("code");
  if (!code) throw new Error(`no code in ${target.href}`);
  return code;
}

/** Submit the consent form as the browser would. Returns the 302 response. */
export async function submitConsent(
  sim: Simulator,
  fields: Record<string, string>,
  cookie?: string,
): Promise<Response> {
  return fetch(`${sim.url}/connect/oauth2/authorize/confirm`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

/** Allow on the consent page as `userKey`; returns the code. */
export async function userinfoCode(sim: Simulator, userKey: string, state = "s1"): Promise<string> {
  const res = await submitConsent(sim, {
    appid: SIM_DEFAULTS.appId,
    redirect_uri: CALLBACK,
    response_type: "code",
    scope: "snsapi_userinfo",
    state,
    user: userKey,
    action: "allow",
  });
  const code = new URL(res.headers.get("location") ?? "").searchParams.get("code");
  if (!code) throw new Error("no code after consent");
  return code;
}

export interface ApiResponse {
  status: number;
  contentType: string | null;
  body: Record<string, unknown>;
}

/** GET an api.weixin.qq.com-style endpoint; parameters are sent in the given order. */
export async function callApi(
  sim: Simulator,
  path: string,
  params: Record<string, string>,
  init: RequestInit = {},
): Promise<ApiResponse> {
  const res = await fetch(`${sim.url}${path}?${new URLSearchParams(params).toString()}`, init);
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get("content-type"),
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

export function exchange(sim: Simulator, code: string, overrides: Record<string, string> = {}): Promise<ApiResponse> {
  return callApi(sim, "/sns/oauth2/access_token", {
    appid: SIM_DEFAULTS.appId,
    secret: SIM_DEFAULTS.appSecret,
    code,
    grant_type: "authorization_code",
    ...overrides,
  });
}

export function refresh(
  sim: Simulator,
  refreshToken: string,
  overrides: Record<string, string> = {},
): Promise<ApiResponse> {
  return callApi(sim, "/sns/oauth2/refresh_token", {
    appid: SIM_DEFAULTS.appId,
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    ...overrides,
  });
}

export function userinfo(
  sim: Simulator,
  accessToken: string,
  openid: string,
  lang: string | null = "zh_CN",
): Promise<ApiResponse> {
  return callApi(sim, "/sns/userinfo", {
    access_token: accessToken,
    openid,
    ...(lang === null ? {} : { lang }),
  });
}

export function str(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string") throw new Error(`${field} is not a string in ${JSON.stringify(body)}`);
  return value;
}
