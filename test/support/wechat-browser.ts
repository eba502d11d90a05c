// The WeChat browser's part, played against the in-process simulator: follow an authorize link the
// app built, and come back with the callback URL WeChat would send the browser to.
import { CONFIRM_PATH, type Simulator } from "@/simulator/server";

export interface AuthorizeAs {
  /** the simulator's test user (simulator/users.ts); default: the selected one */
  user?: string;
  /** tap 拒绝 on the consent page (snsapi_userinfo only) */
  deny?: boolean;
}

/** The callback URL WeChat sends the browser to, with its code (absent when denied) and state. */
export interface CallbackTarget {
  readonly url: string;
  readonly code: string | undefined;
  readonly state: string | undefined;
}

const HTML_ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (m) => HTML_ENTITIES[m] ?? m);
}

function target(url: string): CallbackTarget {
  const parsed = new URL(url);
  return {
    url,
    code: parsed.searchParams.get("code") ?? undefined,
    state: parsed.searchParams.get("state") ?? undefined,
  };
}

/**
 * Opens `location` (the app's authorize link) as WeChat's browser would: the silent snsapi_base page
 * is followed to its redirect target; the snsapi_userinfo consent page is submitted with its own
 * hidden fields, as `as.user`, allowing or denying.
 */
export async function authorizeAtSimulator(
  sim: Simulator,
  location: string,
  as: AuthorizeAs = {},
): Promise<CallbackTarget> {
  // The page refuses to proceed without it; fetch drops fragments, so check it here.
  if (!location.endsWith("#wechat_redirect")) throw new Error(`authorize link lacks #wechat_redirect: ${location}`);
  if (!location.startsWith(`${sim.url}/`)) throw new Error(`authorize link is not the simulator's: ${location}`);
  if (as.user && !as.deny) sim.selectUser(as.user);
  const page = await fetch(location);
  const html = await page.text();
  const error = page.headers.get("x-sim-error");
  if (error) throw new Error(`the simulator refused the authorize link (${error}): ${location}`);
  const kind = page.headers.get("x-sim-page");

  if (kind === "redirect") {
    const data = /<script id="sim-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
    const next = data ? (JSON.parse(data) as { target?: unknown }).target : undefined;
    if (typeof next !== "string") throw new Error("no redirect target on the simulator's page");
    return target(next);
  }
  if (kind !== "consent") throw new Error(`unexpected simulator page ${kind}`);

  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.append(m[1] ?? "", unescapeHtml(m[2] ?? ""));
  }
  form.set("user", as.user ?? /<input type="radio" name="user" value="([^"]+)" checked>/.exec(html)?.[1] ?? "");
  form.set("action", as.deny ? "deny" : "allow");
  const confirmed = await fetch(`${sim.url}${CONFIRM_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    redirect: "manual",
  });
  const next = confirmed.headers.get("location");
  if (confirmed.status !== 302 || !next) {
    throw new Error(`consent was not accepted (${confirmed.status} ${confirmed.headers.get("x-sim-error") ?? ""})`);
  }
  return target(next);
}

/** Simulator requests to one endpoint, e.g. "/sns/oauth2/access_token". */
export function callsTo(sim: Simulator, path: string) {
  return sim.requests().filter((r) => r.path === path);
}

export const EXCHANGE = "/sns/oauth2/access_token";
export const REFRESH = "/sns/oauth2/refresh_token";
export const USERINFO = "/sns/userinfo";

/** A desktop Chrome and WeChat's in-app browser on Android. */
export const DESKTOP_CHROME_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
export const WECHAT_UA =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 XWEB/1300289 MMWEBSDK/20240404 MMWEBID/1234 MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";
