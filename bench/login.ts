// Complete silent logins (snsapi_base) over plain HTTP, the three hops a WeChat browser makes:
// our login route → the simulator's authorize page → our callback. No browser: the silent page's
// redirect target is read from the JSON the page embeds for its script (simulator/oauth/pages.ts).
import { performance } from "node:perf_hooks";
import { processCpuMs } from "./servers";
import { percentile } from "./stats";

export const WECHAT_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) " +
  "Mobile/15E148 MicroMessenger/8.0.50(0x1800322d) NetType/WIFI Language/zh_CN";

/**
 * The app's environment for a login benchmark: the per-process limit on login starts (200 a second,
 * README "Security") would refuse a fast enough loop with 429; the bench measures the login, not the
 * limiter (bench/login-flood.ts does that). No trusted proxy, so no per-address limit either.
 */
export const LOGIN_BENCH_ENV: Readonly<Record<string, string>> = { LOGIN_STARTS_PER_SECOND: "100000" };

const BINDING_COOKIE = "wcuc_login";
const SESSION_COOKIE = "wcuc_session";
/** The simulator's user cookie: which test user the authorize page signs in. */
const SIM_USER_COOKIE = "sim_user";

/** One simulated phone: a test user, and the binding cookie it keeps between logins. */
export interface Browser {
  readonly userKey: string;
  binding?: string;
}

export class LoginFailure extends Error {
  override name = "LoginFailure";
}

function cookieFrom(res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair?.indexOf("=") ?? -1;
    if (pair && eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

async function get(url: string, cookie: string | undefined): Promise<{ res: Response; body: string }> {
  const headers: Record<string, string> = { "user-agent": WECHAT_UA };
  if (cookie) headers.cookie = cookie;
  const res = await fetch(url, { redirect: "manual", headers });
  return { res, body: await res.text() };
}

function expectRedirect(step: string, res: Response): string {
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new LoginFailure(`${step}: expected 302, got ${res.status}`);
  return location;
}

/** One complete login; returns the session cookie's value. Throws LoginFailure with the failing hop. */
export async function silentLogin(appUrl: string, browser: Browser): Promise<string> {
  const start = await get(
    `${appUrl}/api/auth/wechat/login?scope=snsapi_base&returnTo=%2Fme`,
    browser.binding ? `${BINDING_COOKIE}=${browser.binding}` : undefined,
  );
  const authorizeLink = expectRedirect("login", start.res);
  browser.binding = cookieFrom(start.res, BINDING_COOKIE) ?? browser.binding;
  if (!browser.binding) throw new LoginFailure("login: no binding cookie");
  if (!authorizeLink.endsWith("#wechat_redirect")) throw new LoginFailure("login: link lacks #wechat_redirect");

  // The fragment never reaches a server; the page's script checks it, so we drop it as a browser would send.
  const page = await get(authorizeLink.slice(0, -"#wechat_redirect".length), `${SIM_USER_COOKIE}=${browser.userKey}`);
  if (page.res.headers.get("x-sim-page") !== "redirect") {
    throw new LoginFailure(`authorize: no redirect page (${page.res.headers.get("x-sim-error") ?? page.res.status})`);
  }
  const data = /<script id="sim-data" type="application\/json">(.*?)<\/script>/s.exec(page.body)?.[1];
  const target = data ? (JSON.parse(data) as { target?: unknown }).target : undefined;
  if (typeof target !== "string") throw new LoginFailure("authorize: no redirect target in the page");

  const callback = await get(target, `${BINDING_COOKIE}=${browser.binding}`);
  const landing = expectRedirect("callback", callback.res);
  if (landing !== `${appUrl}/me`) throw new LoginFailure(`callback: landed on ${landing.replace(appUrl, "")}`);
  const session = cookieFrom(callback.res, SESSION_COOKIE);
  if (!session) throw new LoginFailure("callback: no session cookie");
  return session;
}

export interface LoginLoadResult {
  readonly concurrency: number;
  readonly seconds: number;
  readonly completed: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly failures: number;
  /** the app server's CPU time (user + system, all threads) per completed login; undefined off Linux */
  readonly serverCpuMsPerLogin: number | undefined;
  /** failure message → count */
  readonly failureReasons: Record<string, number>;
}

/**
 * `concurrency` browsers, each looping complete logins until `seconds` have passed. They are spread
 * over `userKeys`, so the same person signs in again and again, as returning users do; sessions are
 * not sent back (a signed-out returning user), so every callback must set a new one.
 */
export async function loginLoad(
  appUrl: string,
  serverPid: number | undefined,
  userKeys: readonly string[],
  concurrency: number,
  seconds: number,
): Promise<LoginLoadResult> {
  const cpuBefore = processCpuMs(serverPid);
  const latencies: number[] = [];
  const failureReasons: Record<string, number> = {};
  let failures = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;

  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const browser: Browser = { userKey: userKeys[i % userKeys.length] ?? "zhangsan" };
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await silentLogin(appUrl, browser);
          latencies.push(performance.now() - t0);
        } catch (err) {
          failures++;
          const reason = err instanceof LoginFailure ? err.message : String(err);
          failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
        }
      }
    }),
  );

  // Logins still in flight at the deadline finish and count: divide by the time they took.
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = processCpuMs(serverPid);
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    seconds: elapsed,
    completed: latencies.length,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? 0,
    failures,
    serverCpuMsPerLogin:
      cpuBefore === undefined || cpuAfter === undefined || latencies.length === 0
        ? undefined
        : (cpuAfter - cpuBefore) / latencies.length,
    failureReasons,
  };
}
