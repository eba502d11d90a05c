/**
 * Local WeChat simulator: open.weixin.qq.com's authorize page and api.weixin.qq.com's web
 * authorization endpoints on one origin, with controls for tests (modelled on
 * navikt/mock-oauth2-server): scripted failures, a movable clock, request recording.
 *
 * Node built-ins only, and nothing shared with lib/: it is the fake upstream, and sharing code
 * with the client would let the same bug on both sides cancel out.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  API_ROUTES,
  CODE_TTL_SECONDS,
  ERRMSG,
  REFRESH_TOKEN_TTL_SECONDS,
  wxError,
  type ApiBody,
  type ApiContext,
} from "./api";
import {
  AUTHORIZE_ERRMSG,
  appendToRedirect,
  parseAuthorizeQuery,
  validateAuthorizeFields,
  type AuthorizeConfig,
  type AuthorizeError,
  type AuthorizeRequest,
} from "./authorize";
import { BasicTokens } from "./cgi/basic-token";
import { JsapiTickets } from "./cgi/ticket";
import { Followers } from "./cgi/followers";
import { MessagePusher, type PusherOptions } from "./push";
import type { ControlInput, SimCore, SimExtension } from "./extension";
import { GrantStore } from "./grants";
import { CONFIRM_PATH, renderAvatarSvg, renderConsentPage, renderErrorPage, renderRedirectPage } from "./pages";
import { DEFAULT_USER_KEY, createDefaultUsers, type TestUser } from "./users";

export type { TestUser } from "./users";

export const SIM_DEFAULTS = {
  appId: "wx5e1f0c0de0000001",
  appSecret: "simsecret0123456789abcdef01234567",
  /** A WeChat Open Platform (website app) appid: the authorize page refuses it with 10016. */
  openPlatformAppId: "wxopen00000000001",
  redirectDomains: ["localhost", "127.0.0.1"],
  host: "127.0.0.1",
  /** Port of the standalone CLI; in-process the default is 0 (any free port). */
  cliPort: 4010,
  appName: "微信用户中心（模拟公众号）",
  defaultUserKey: DEFAULT_USER_KEY,
  codeTtlSeconds: CODE_TTL_SECONDS,
  accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
  refreshTokenTtlSeconds: REFRESH_TOKEN_TTL_SECONDS,
} as const;

export const AUTHORIZE_PATH = "/connect/oauth2/authorize";
export { CONFIRM_PATH } from "./pages";
/** Cookie (on the simulator's origin) remembering the user last chosen on the consent page. */
export const USER_COOKIE = "sim_user";

export interface SimulatorOptions {
  port?: number;
  host?: string;
  appId?: string;
  appSecret?: string;
  /** Hostnames allowed in redirect_uri (WeChat's 网页授权域名); the port is not compared. */
  redirectDomains?: string[];
  /** Replace the default fixtures. */
  users?: TestUser[];
  /**
   * Freeze the clock at this epoch (ms); it then moves only by advance(). Without it the clock is
   * real time plus the advance() offset.
   */
  startTime?: number;
  /** Name shown on the consent page. */
  appName?: string;
  /** The message pusher's Token, EncodingAESKey, target and timing (simulator/push.ts). */
  push?: PusherOptions;
  /** Port of the second origin (api2.weixin.qq.com's stand-in, sharing all state); default 0 (any). */
  backupPort?: number;
}

/** Which origin a request came to: `url` (api.weixin.qq.com) or `backupUrl` (api2.weixin.qq.com). */
export type SimHost = "primary" | "backup";

/** A whole origin failing: every non-control request answers this way until cleared. */
export type Outage = { kind: "http"; status: number } | { kind: "timeout" } | { kind: "refuse" };

export type Failure =
  | { kind: "errcode"; errcode: number; errmsg?: string }
  /** {"errcode":-1,"errmsg":"system error"} */
  | { kind: "busy" }
  /** Never answer; the socket is released when the client aborts, on reset() or on close(). */
  | { kind: "timeout" }
  | { kind: "http"; status: number };

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Decoded query parameters (first value of each name). */
  readonly query: Readonly<Record<string, string>>;
  /** The query string exactly as received, without the leading `?`. */
  readonly rawQuery: string;
  readonly body: string;
  /** Simulator clock, ms. */
  readonly at: number;
  /** The origin it came to. */
  readonly host: SimHost;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:54321 — use it as both the OAuth and the API base. */
  readonly url: string;
  close(): Promise<void>;
  /** The user the simulated WeChat browser "is" for authorizations without a sim_user cookie. */
  selectUser(key: string): void;
  /** Script the next `times` (default 1) requests to `path` (e.g. "/sns/oauth2/access_token") to fail. */
  failNext(path: string, failure: Failure, times?: number): void;
  /** Move the simulator clock forward; codes and tokens expire by it. */
  advance(seconds: number): void;
  /** Simulator clock, ms epoch. */
  now(): number;
  /** The user withdrew the authorization: their refresh tokens now fail 40030, access tokens 40001. */
  revoke(openid: string): void;
  /** Every non-control request received, in order. */
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** Clear codes, tokens, failures, requests, the clock offset and the selected user. */
  reset(): void;
  readonly users: readonly TestUser[];
  /** The account's basic access_token (cgi-bin/token, cgi-bin/stable_token). */
  readonly basicTokens: BasicTokens;
  /** The JS-SDK jsapi_ticket (cgi-bin/ticket/getticket). */
  readonly tickets: JsapiTickets;
  /** The second origin (api2.weixin.qq.com's stand-in): same routes, same state. */
  readonly backupUrl: string;
  /** Make one origin fail every request (null: healthy again); controls keep working. */
  setOutage(host: SimHost, outage: Outage | null): void;
  /** Followers, tags, blacklist and remarks (cgi-bin/user/*, cgi-bin/tags/*). */
  readonly followers: Followers;
  /** Message pushes to the app's endpoint (/__sim/push). */
  readonly push: MessagePusher;
}

/** Thrown by the controls on bad input; the HTTP controls answer it with 400. */
export class SimulatorInputError extends Error {
  override name = "SimulatorInputError";
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = new WeChatSimulator(options);
  await sim.listen(options.port ?? 0, options.host ?? SIM_DEFAULTS.host, options.backupPort ?? 0);
  return sim;
}

class WeChatSimulator implements Simulator {
  url = "";
  users: readonly TestUser[] = [];

  private readonly server: Server;
  private readonly appId: string;
  private readonly appSecret: string;
  private readonly appName: string;
  private readonly authorizeConfig: AuthorizeConfig;
  private readonly customUsers: TestUser[] | undefined;
  private readonly startTime: number | undefined;
  private readonly store = new GrantStore();
  private readonly failures = new Map<string, Failure[]>();
  private readonly hanging = new Set<Socket>();
  private recorded: RecordedRequest[] = [];
  private offsetMs = 0;
  private selectedKey = "";
  private closed = false;
  private readonly core: SimCore;
  readonly basicTokens: BasicTokens;
  readonly tickets: JsapiTickets;
  backupUrl = "";
  private readonly backupServer: Server;
  private readonly outages = new Map<SimHost, Outage>();
  readonly followers: Followers;
  readonly push: MessagePusher;
  /** Every extension, in creation order; later ones may depend on earlier ones (all need basicTokens). */
  private readonly extensions: SimExtension[];

  constructor(options: SimulatorOptions) {
    this.appId = options.appId ?? SIM_DEFAULTS.appId;
    this.appSecret = options.appSecret ?? SIM_DEFAULTS.appSecret;
    this.appName = options.appName ?? SIM_DEFAULTS.appName;
    const domains = (options.redirectDomains ?? [...SIM_DEFAULTS.redirectDomains]).map((d) => d.trim().toLowerCase());
    if (domains.length === 0 || domains.some((d) => d === "" || d.includes("/") || d.includes(":"))) {
      throw new SimulatorInputError("redirectDomains must be bare hostnames (no scheme, port or path)");
    }
    this.authorizeConfig = {
      appId: this.appId,
      openPlatformAppId: SIM_DEFAULTS.openPlatformAppId,
      redirectDomains: domains,
    };
    this.customUsers = options.users;
    if (options.users) checkUsers(options.users);
    this.startTime = options.startTime;
    this.core = {
      appId: this.appId,
      appSecret: this.appSecret,
      now: () => this.now(),
      url: () => this.url,
      users: () => this.users,
    };
    this.basicTokens = new BasicTokens(this.core);
    this.tickets = new JsapiTickets(this.core, this.basicTokens);
    this.followers = new Followers(this.core, this.basicTokens);
    this.push = new MessagePusher(this.core, options.push);
    this.extensions = [this.basicTokens, this.tickets, this.followers, this.push];
    // Idle keep-alive connections stay open 65 s, like the nginx in front of WeChat. With Node's default
    // 5 s, a client whose pool keeps a connection for 4 s (undici) could pick one up just as the server
    // closed it ("other side closed"), a flake that a slow CI machine hit between two tests.
    const serve = (host: SimHost) =>
      createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, (req, res) => {
        this.handle(req, res, host).catch((error: unknown) => {
          console.error("[wechat-simulator]", error);
          if (!res.headersSent) send(res, 500, "text/plain", "simulator error");
          else res.destroy();
        });
      });
    this.server = serve("primary");
    this.backupServer = serve("backup");
  }

  async listen(port: number, host: string, backupPort = 0): Promise<void> {
    const listen = (server: Server, p: number) =>
      new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(p, host, () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    const actualPort = await listen(this.server, port);
    this.url = `http://${urlHost(host)}:${actualPort}`;
    this.backupUrl = `http://${urlHost(host)}:${await listen(this.backupServer, backupPort)}`;
    this.users = this.customUsers ?? createDefaultUsers(this.url);
    this.selectedKey = this.defaultUserKey();
  }

  // ---- controls ----

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.releaseHanging();
    for (const extension of this.extensions) await extension.close?.();
    await Promise.all(
      [this.server, this.backupServer].map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            // Keep-alive connections of fetch clients would otherwise hold close() open.
            server.closeAllConnections();
          }),
      ),
    );
  }

  selectUser(key: string): void {
    if (!this.userByKey(key)) throw new SimulatorInputError(`unknown user key: ${key}`);
    this.selectedKey = key;
  }

  failNext(path: string, failure: Failure, times = 1): void {
    if (typeof path !== "string" || !path.startsWith("/") || path.includes("?")) {
      throw new SimulatorInputError(`path must be a path like "/sns/userinfo", got ${JSON.stringify(path)}`);
    }
    if (path.startsWith("/__sim/")) throw new SimulatorInputError("control routes cannot be failed");
    if (!Number.isInteger(times) || times < 1) throw new SimulatorInputError("times must be a positive integer");
    const checked = checkFailure(failure);
    const queue = this.failures.get(path) ?? [];
    for (let i = 0; i < times; i++) queue.push(checked);
    this.failures.set(path, queue);
  }

  advance(seconds: number): void {
    if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
      throw new SimulatorInputError("seconds must be a finite number >= 0");
    }
    this.offsetMs += seconds * 1000;
  }

  now(): number {
    return (this.startTime ?? Date.now()) + this.offsetMs;
  }

  revoke(openid: string): void {
    if (!this.users.some((u) => u.openid === openid)) throw new SimulatorInputError(`unknown openid: ${openid}`);
    this.store.revokeOpenid(openid);
  }

  requests(): RecordedRequest[] {
    return [...this.recorded];
  }

  clearRequests(): void {
    this.recorded = [];
  }

  setOutage(host: SimHost, outage: Outage | null): void {
    if (host !== "primary" && host !== "backup") throw new SimulatorInputError('host must be "primary" or "backup"');
    if (outage === null) {
      this.outages.delete(host);
      return;
    }
    const kind = (outage as { kind?: unknown } | undefined)?.kind;
    if (kind === "http") {
      const status = (outage as { status?: unknown }).status;
      if (!Number.isInteger(status) || (status as number) < 500 || (status as number) > 599) {
        throw new SimulatorInputError("an http outage needs a status 500..599");
      }
      this.outages.set(host, { kind, status: status as number });
    } else if (kind === "timeout" || kind === "refuse") {
      this.outages.set(host, { kind });
    } else {
      throw new SimulatorInputError(`unknown outage kind: ${JSON.stringify(kind)}`);
    }
  }

  reset(): void {
    this.outages.clear();
    this.store.clear();
    this.failures.clear();
    this.recorded = [];
    this.offsetMs = 0;
    this.selectedKey = this.defaultUserKey();
    this.releaseHanging();
    for (const extension of this.extensions) extension.reset?.();
  }

  private defaultUserKey(): string {
    return this.userByKey(DEFAULT_USER_KEY) ? DEFAULT_USER_KEY : (this.users[0]?.key ?? "");
  }

  private userByKey(key: string): TestUser | undefined {
    return this.users.find((u) => u.key === key);
  }

  private releaseHanging(): void {
    for (const socket of this.hanging) socket.destroy();
    this.hanging.clear();
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse, host: SimHost = "primary"): Promise<void> {
    const target = req.url ?? "/";
    const url = new URL(target, "http://simulator.invalid");
    const path = url.pathname;
    const queryAt = target.indexOf("?");
    const rawQuery = queryAt === -1 ? "" : target.slice(queryAt + 1);
    const method = req.method ?? "GET";

    const body = await readBody(req);
    if (body === undefined) return send(res, 413, "text/plain", "body too large");

    if (path === "/__sim" || path.startsWith("/__sim/")) return this.handleControl(method, url, body, res);
    // Browsers ask for it on every page; recording it would make requests() depend on browser timing.
    if (path === "/favicon.ico") {
      res.writeHead(204);
      return void res.end();
    }

    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
    this.recorded.push(
      Object.freeze({ method, path, query: Object.freeze(query), rawQuery, body, at: this.now(), host }),
    );

    const outage = this.outages.get(host);
    if (outage) return this.sendOutage(outage, req, res);

    const failure = this.failures.get(path)?.shift();
    if (failure) return this.sendFailure(path, failure, req, res);

    if (path === AUTHORIZE_PATH) {
      if (method !== "GET") return sendMethodNotAllowed(res, "GET");
      return this.authorize(rawQuery, req, res);
    }
    if (path === CONFIRM_PATH) {
      if (method !== "POST") return sendMethodNotAllowed(res, "POST");
      return this.confirm(body, req, res);
    }
    const api = API_ROUTES[path];
    if (api) {
      // Parameters are read from the query string only, where WeChat documents them; a client that
      // sends them in a POST body gets the "missing parameter" errcodes.
      if (method !== "GET" && method !== "POST") return sendMethodNotAllowed(res, "GET, POST");
      return sendApi(res, api(url.searchParams, this.apiContext()));
    }
    for (const extension of this.extensions) {
      const route = extension.routes?.[path];
      if (route) return sendApi(res, route({ method, query: url.searchParams, body }));
    }
    return sendNginxError(res, 404);
  }

  private apiContext(): ApiContext {
    return {
      appId: this.appId,
      appSecret: this.appSecret,
      store: this.store,
      now: () => this.now(),
      userByKey: (key) => this.userByKey(key),
    };
  }

  /** The user the browser "is": the one chosen last on the consent page, else the selected one. */
  private currentUserKey(req: IncomingMessage): string {
    const fromCookie = readCookie(req, USER_COOKIE);
    return fromCookie !== undefined && this.userByKey(fromCookie) ? fromCookie : this.selectedKey;
  }

  private authorize(rawQuery: string, req: IncomingMessage, res: ServerResponse): void {
    const result = parseAuthorizeQuery(rawQuery, this.authorizeConfig);
    if (!result.ok) return sendAuthorizeError(res, result.error);
    const { request } = result;

    if (request.scope === "snsapi_base") {
      // Silent: the code exists as soon as the page is served, as on WeChat where the 302 carries it.
      const code = this.store.mintCode(this.currentUserKey(req), "snsapi_base", this.now());
      const target = appendToRedirect(request.redirectUri, [["code", code], ...stateParam(request)]);
      return sendHtml(res, renderRedirectPage(target), { "X-Sim-Page": "redirect" });
    }
    const page = renderConsentPage({
      appName: this.appName,
      request,
      users: this.users,
      selectedKey: this.currentUserKey(req),
    });
    return sendHtml(res, page, { "X-Sim-Page": "consent" });
  }

  private confirm(body: string, req: IncomingMessage, res: ServerResponse): void {
    const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (contentType !== "application/x-www-form-urlencoded") {
      return sendAuthorizeError(res, { reason: "form", message: "表单格式错误" });
    }
    const form = new URLSearchParams(body);
    const result = validateAuthorizeFields(
      {
        appid: form.get("appid") ?? undefined,
        redirectUri: form.get("redirect_uri") ?? undefined,
        responseType: form.get("response_type") ?? undefined,
        scope: form.get("scope") ?? undefined,
        state: form.get("state") ?? undefined,
      },
      this.authorizeConfig,
    );
    if (!result.ok) return sendAuthorizeError(res, result.error);
    const { request } = result;
    if (request.scope !== "snsapi_userinfo") {
      return sendAuthorizeError(res, { reason: "scope", message: "只有 snsapi_userinfo 需要用户确认" });
    }

    const action = form.get("action");
    if (action === "deny") {
      // WeChat sends the user back without a code; the state still comes back.
      return sendRedirect(res, appendToRedirect(request.redirectUri, stateParam(request)));
    }
    if (action !== "allow") return sendAuthorizeError(res, { reason: "action", message: "未知操作" });

    const userKey = form.get("user") ?? "";
    if (!this.userByKey(userKey)) return sendAuthorizeError(res, { reason: "user", message: "请选择一位测试用户" });
    const code = this.store.mintCode(userKey, "snsapi_userinfo", this.now());
    sendRedirect(res, appendToRedirect(request.redirectUri, [["code", code], ...stateParam(request)]), {
      "Set-Cookie": `${USER_COOKIE}=${encodeURIComponent(userKey)}; Path=/; HttpOnly; SameSite=Lax`,
    });
  }

  private sendOutage(outage: Outage, req: IncomingMessage, res: ServerResponse): void {
    if (outage.kind === "http") return sendNginxError(res, outage.status);
    if (outage.kind === "refuse") return void req.socket.destroy();
    const socket = req.socket;
    this.hanging.add(socket);
    socket.once("close", () => this.hanging.delete(socket));
  }

  private sendFailure(path: string, failure: Failure, req: IncomingMessage, res: ServerResponse): void {
    const isPage = path.startsWith("/connect/");
    switch (failure.kind) {
      case "timeout": {
        // Hold the socket open without answering; forget it once the client gives up.
        const socket = req.socket;
        this.hanging.add(socket);
        socket.once("close", () => this.hanging.delete(socket));
        return;
      }
      case "http":
        return sendNginxError(res, failure.status);
      case "busy":
        if (isPage) return sendAuthorizeError(res, { code: -1, reason: "-1", message: "系统繁忙，请稍后再试" });
        return sendApi(res, { errcode: -1, errmsg: "system error" });
      case "errcode":
        if (isPage) {
          const message = failure.errmsg ?? AUTHORIZE_ERRMSG[failure.errcode] ?? ERRMSG[failure.errcode] ?? "模拟错误";
          return sendAuthorizeError(res, { code: failure.errcode, reason: String(failure.errcode), message });
        }
        return sendApi(
          res,
          failure.errmsg !== undefined
            ? { errcode: failure.errcode, errmsg: failure.errmsg }
            : wxError(failure.errcode, this.now()),
        );
    }
  }

  private async handleControl(method: string, url: URL, body: string, res: ServerResponse): Promise<void> {
    const path = url.pathname;
    const avatar = /^\/__sim\/avatar\/([^/]+)\.svg$/.exec(path);
    if (avatar) {
      const user = this.userByKey(decodeURIComponent(avatar[1] ?? ""));
      if (!user || method !== "GET") return sendNginxError(res, 404);
      return send(res, 200, "image/svg+xml; charset=utf-8", renderAvatarSvg(user), {
        "Cache-Control": "public, max-age=3600",
      });
    }

    const builtIn = CONTROL_ROUTES[path];
    const extensionRoute = builtIn ? undefined : this.extensions.find((e) => e.controls?.[path])?.controls?.[path];
    const route = builtIn ?? extensionRoute;
    if (!route) return sendJson(res, 404, { ok: false, error: `unknown control route ${path}` });
    if (route.method !== method) return sendMethodNotAllowed(res, route.method);
    try {
      const input = route.method === "POST" ? parseJsonObject(body) : {};
      const result = builtIn ? builtIn.run(this, input) : await extensionRoute?.run(input, url.searchParams);
      sendJson(res, 200, result);
    } catch (error) {
      if (error instanceof SimulatorInputError) return sendJson(res, 400, { ok: false, error: error.message });
      throw error;
    }
  }
}

// ---- HTTP controls (for tests in another process, e.g. Playwright) ----

interface ControlRoute {
  readonly method: "GET" | "POST";
  run(sim: WeChatSimulator, input: ControlInput): unknown;
}

const ok = { ok: true } as const;

const CONTROL_ROUTES: Readonly<Record<string, ControlRoute>> = {
  "/__sim/health": { method: "GET", run: () => ok },
  "/__sim/users": { method: "GET", run: (sim) => sim.users },
  "/__sim/requests": { method: "GET", run: (sim) => sim.requests() },
  "/__sim/clear-requests": {
    method: "POST",
    run: (sim) => {
      sim.clearRequests();
      return ok;
    },
  },
  "/__sim/select-user": {
    method: "POST",
    run: (sim, input) => {
      sim.selectUser(requireString(input, "key"));
      return ok;
    },
  },
  "/__sim/fail-next": {
    method: "POST",
    run: (sim, input) => {
      const times = input.times;
      if (times !== undefined && typeof times !== "number") throw new SimulatorInputError("times must be a number");
      sim.failNext(requireString(input, "path"), input.failure as Failure, times);
      return ok;
    },
  },
  "/__sim/advance": {
    method: "POST",
    run: (sim, input) => {
      sim.advance(input.seconds as number);
      return { ok: true, now: sim.now() };
    },
  },
  "/__sim/revoke": {
    method: "POST",
    run: (sim, input) => {
      sim.revoke(requireString(input, "openid"));
      return ok;
    },
  },
  "/__sim/outage": {
    method: "POST",
    run: (sim, input) => {
      sim.setOutage(input.host as SimHost, (input.outage ?? null) as Outage | null);
      return ok;
    },
  },
  "/__sim/reset": {
    method: "POST",
    run: (sim) => {
      sim.reset();
      return ok;
    },
  },
};

function parseJsonObject(body: string): ControlInput {
  if (body.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new SimulatorInputError("body must be JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SimulatorInputError("body must be a JSON object");
  }
  return value as ControlInput;
}

function requireString(input: ControlInput, name: string): string {
  const value = input[name];
  if (typeof value !== "string" || value === "") throw new SimulatorInputError(`${name} must be a non-empty string`);
  return value;
}

/** Validate a Failure (it may come from JSON) and copy only its known fields. */
function checkFailure(value: unknown): Failure {
  const f = value as Partial<Record<string, unknown>> | null;
  if (typeof f !== "object" || f === null) throw new SimulatorInputError("failure must be an object");
  switch (f.kind) {
    case "busy":
    case "timeout":
      return { kind: f.kind };
    case "http":
      if (!Number.isInteger(f.status) || (f.status as number) < 400 || (f.status as number) > 599) {
        throw new SimulatorInputError("http failure needs a status 400..599");
      }
      return { kind: "http", status: f.status as number };
    case "errcode":
      if (!Number.isInteger(f.errcode) || f.errcode === 0)
        throw new SimulatorInputError("errcode must be a non-zero integer");
      if (f.errmsg !== undefined && typeof f.errmsg !== "string")
        throw new SimulatorInputError("errmsg must be a string");
      return f.errmsg === undefined
        ? { kind: "errcode", errcode: f.errcode as number }
        : { kind: "errcode", errcode: f.errcode as number, errmsg: f.errmsg };
    default:
      throw new SimulatorInputError(`unknown failure kind: ${JSON.stringify(f.kind)}`);
  }
}

function checkUsers(users: readonly TestUser[]): void {
  if (users.length === 0) throw new SimulatorInputError("users must not be empty");
  const keys = new Set(users.map((u) => u.key));
  const openids = new Set(users.map((u) => u.openid));
  if (keys.size !== users.length) throw new SimulatorInputError("user keys must be unique");
  if (openids.size !== users.length) throw new SimulatorInputError("user openids must be unique");
}

// ---- helpers ----

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function stateParam(request: AuthorizeRequest): Array<[string, string]> {
  return request.state === undefined ? [] : [["state", request.state]];
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The body as text, or undefined when it is over the limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** WeChat serves its JSON as text/plain, with HTTP 200 even for errors. */
function sendApi(res: ServerResponse, body: ApiBody): void {
  send(res, 200, "text/plain", JSON.stringify(body), { "Cache-Control": "no-store" });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body), { "Cache-Control": "no-store" });
}

function sendHtml(res: ServerResponse, html: string, headers: Record<string, string> = {}): void {
  send(res, 200, "text/html; charset=utf-8", html, { "Cache-Control": "no-store", ...headers });
}

/** WeChat shows authorize errors as a page with HTTP 200; X-Sim-Error lets tests tell them apart. */
function sendAuthorizeError(res: ServerResponse, error: AuthorizeError): void {
  sendHtml(res, renderErrorPage(error), {
    "X-Sim-Error": error.code !== undefined ? String(error.code) : error.reason,
  });
}

function sendRedirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  send(res, 302, "text/html; charset=utf-8", "", { Location: location, "Cache-Control": "no-store", ...headers });
}

function sendMethodNotAllowed(res: ServerResponse, allow: string): void {
  sendNginxError(res, 405, { Allow: allow });
}

/** What the gateway in front of WeChat answers for transport-level errors. */
function sendNginxError(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const title = `${status} ${STATUS_CODES[status] ?? "Error"}`;
  const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  send(res, status, "text/html", html, headers);
}
