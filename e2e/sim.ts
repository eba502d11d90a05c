// A client for the simulator's HTTP controls (simulator/README.md, "HTTP controls").
import { SIM_URL } from "./support/env";

export type SimFailure =
  | { kind: "errcode"; errcode: number; errmsg?: string }
  | { kind: "busy" }
  | { kind: "timeout" }
  | { kind: "http"; status: number };

export interface SimUser {
  key: string;
  openid: string;
  unionid?: string;
  nickname: string;
  headimgurl: string;
  snapshot?: boolean;
}

export interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  rawQuery: string;
  body: string;
  at: number;
}

export const SIM_PATHS = {
  authorize: "/connect/oauth2/authorize",
  accessToken: "/sns/oauth2/access_token",
  refreshToken: "/sns/oauth2/refresh_token",
  userinfo: "/sns/userinfo",
} as const;

export class SimClient {
  constructor(readonly url: string = SIM_URL) {}

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async reset(): Promise<void> {
    await this.call("POST", "/__sim/reset", {});
  }

  async selectUser(key: string): Promise<void> {
    await this.call("POST", "/__sim/select-user", { key });
  }

  /** The next `times` requests to `path` fail this way. */
  async failNext(path: string, failure: SimFailure, times = 1): Promise<void> {
    await this.call("POST", "/__sim/fail-next", { path, failure, times });
  }

  /** Moves the simulator's clock (codes and tokens expire by it); the app's clock does not move. */
  async advance(seconds: number): Promise<void> {
    await this.call("POST", "/__sim/advance", { seconds });
  }

  async requests(path?: string): Promise<SimRequest[]> {
    const all = await this.call<SimRequest[]>("GET", "/__sim/requests");
    return path === undefined ? all : all.filter((r) => r.path === path);
  }

  async clearRequests(): Promise<void> {
    await this.call("POST", "/__sim/clear-requests", {});
  }

  async user(key: string): Promise<SimUser> {
    const users = await this.call<SimUser[]>("GET", "/__sim/users");
    const user = users.find((u) => u.key === key);
    if (!user) throw new Error(`the simulator has no user ${key}`);
    return user;
  }

  /** The simulator's custom menus: the default (API) menu, the conditional ones, a console-made one. */
  async menuState(): Promise<{
    default: { button: unknown[] } | null;
    conditional: unknown[];
    console: unknown[] | null;
  }> {
    return this.call("GET", "/__sim/menu");
  }

  /** A menu "made in WeChat's web console" (selfmenu shape), live until the API creates or deletes one. */
  async seedConsoleMenu(button: unknown[]): Promise<void> {
    await this.call("POST", "/__sim/menu/console", { button });
  }

  /** The QR codes made with qrcode/create, with their tickets. */
  async qrCodes(): Promise<{ ticket: string; scene: string; url: string }[]> {
    return this.call("GET", "/__sim/qrcodes");
  }

  /** The person stops following (they then follow again through a QR code: subscribe, not SCAN). */
  async unfollow(openid: string): Promise<void> {
    await this.call("POST", "/__sim/followers/unsubscribe", { openids: [openid] });
  }
}
