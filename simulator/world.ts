/**
 * The simulator's world, shared by every surface: the account, the test users and who the browser
 * "is", the clock, the web-authorization grants (codes and tokens), scripted failures and outages,
 * and the requests received. One per simulator; surfaces get it whole (oauth/, controls/) or as
 * its SimCore view (cgi/, push/).
 */
import type { Socket } from "node:net";
import { checkFailure, checkOutage, type Failure, type Outage, type SimHost } from "./controls/failures";
import { SimulatorInputError } from "./errors";
import type { SimRequest } from "./http/router";
import type { AuthorizeConfig } from "./oauth/authorize";
import { GrantStore } from "./oauth/grants";
import type { SimCore } from "./surface";
import { DEFAULT_USER_KEY, createDefaultUsers, type TestUser } from "./users";

export interface WorldConfig {
  readonly appId: string;
  readonly appSecret: string;
  /** Name shown on the consent page. */
  readonly appName: string;
  /** A WeChat Open Platform appid: the authorize page refuses it with 10016. */
  readonly openPlatformAppId: string;
  /** Hostnames allowed in redirect_uri (WeChat's 网页授权域名). */
  readonly redirectDomains: readonly string[];
  /** Replace the default fixtures. */
  readonly users?: readonly TestUser[];
  /** Freeze the clock at this epoch (ms); it then moves only by advance(). */
  readonly startTime?: number;
}

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

export class World implements SimCore {
  readonly appId: string;
  readonly appSecret: string;
  readonly appName: string;
  readonly authorizeConfig: AuthorizeConfig;
  /** Codes and web-authorization tokens. */
  readonly grants = new GrantStore();

  private origin = "";
  private userList: readonly TestUser[] = [];
  private selectedKey = "";
  private offsetMs = 0;
  private recorded: RecordedRequest[] = [];
  private readonly failures = new Map<string, Failure[]>();
  private readonly outages = new Map<SimHost, Outage>();
  /** Sockets held open without an answer (timeouts), released by reset() and close(). */
  private readonly hanging = new Set<Socket>();
  /** Told after every advance() (WeChat Pay's notification retries fall due by the clock). */
  private readonly advanceListeners: (() => void)[] = [];

  constructor(private readonly config: WorldConfig) {
    this.appId = config.appId;
    this.appSecret = config.appSecret;
    this.appName = config.appName;
    const domains = config.redirectDomains.map((d) => d.trim().toLowerCase());
    if (domains.length === 0 || domains.some((d) => d === "" || d.includes("/") || d.includes(":"))) {
      throw new SimulatorInputError("redirectDomains must be bare hostnames (no scheme, port or path)");
    }
    this.authorizeConfig = { appId: this.appId, openPlatformAppId: config.openPlatformAppId, redirectDomains: domains };
    if (config.users) checkUsers(config.users);
  }

  /** Called once the server listens: the default fixtures' avatars live on its origin. */
  listening(origin: string): void {
    this.origin = origin;
    this.userList = this.config.users ?? createDefaultUsers(origin);
    this.selectedKey = this.defaultUserKey();
  }

  url(): string {
    return this.origin;
  }

  // ---- clock ----

  now(): number {
    return (this.config.startTime ?? Date.now()) + this.offsetMs;
  }

  advance(seconds: number): void {
    if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
      throw new SimulatorInputError("seconds must be a finite number >= 0");
    }
    this.offsetMs += seconds * 1000;
    for (const listener of this.advanceListeners) listener();
  }

  onAdvance(listener: () => void): void {
    this.advanceListeners.push(listener);
  }

  // ---- users ----

  users(): readonly TestUser[] {
    return this.userList;
  }

  userByKey(key: string): TestUser | undefined {
    return this.userList.find((u) => u.key === key);
  }

  /** The user the browser "is" when it has no sim_user cookie. */
  selectedUserKey(): string {
    return this.selectedKey;
  }

  selectUser(key: string): void {
    if (!this.userByKey(key)) throw new SimulatorInputError(`unknown user key: ${key}`);
    this.selectedKey = key;
  }

  revoke(openid: string): void {
    if (!this.userList.some((u) => u.openid === openid)) throw new SimulatorInputError(`unknown openid: ${openid}`);
    this.grants.revokeOpenid(openid);
  }

  private defaultUserKey(): string {
    return this.userByKey(DEFAULT_USER_KEY) ? DEFAULT_USER_KEY : (this.userList[0]?.key ?? "");
  }

  // ---- failures and outages ----

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

  /** The next scripted failure for `path`, consumed. */
  takeFailure(path: string): Failure | undefined {
    return this.failures.get(path)?.shift();
  }

  setOutage(host: SimHost, outage: Outage | null): void {
    if (host !== "primary" && host !== "backup") throw new SimulatorInputError('host must be "primary" or "backup"');
    if (outage === null) this.outages.delete(host);
    else this.outages.set(host, checkOutage(outage));
  }

  outage(host: SimHost): Outage | undefined {
    return this.outages.get(host);
  }

  /** Never answer on this socket; forget it once the client gives up. */
  hold(socket: Socket): void {
    this.hanging.add(socket);
    socket.once("close", () => this.hanging.delete(socket));
  }

  releaseHanging(): void {
    for (const socket of this.hanging) socket.destroy();
    this.hanging.clear();
  }

  // ---- recorded requests ----

  record(req: SimRequest, host: SimHost): void {
    const query: Record<string, string> = {};
    for (const [k, v] of req.query) if (!(k in query)) query[k] = v;
    const { method, path, rawQuery, body } = req;
    this.recorded.push(
      Object.freeze({ method, path, query: Object.freeze(query), rawQuery, body, at: this.now(), host }),
    );
  }

  requests(): RecordedRequest[] {
    return [...this.recorded];
  }

  clearRequests(): void {
    this.recorded = [];
  }

  /** Clear grants, failures, outages, requests, the clock offset and the selected user. */
  reset(): void {
    this.outages.clear();
    this.grants.clear();
    this.failures.clear();
    this.recorded = [];
    this.offsetMs = 0;
    this.selectedKey = this.defaultUserKey();
    this.releaseHanging();
  }
}

function checkUsers(users: readonly TestUser[]): void {
  if (users.length === 0) throw new SimulatorInputError("users must not be empty");
  const keys = new Set(users.map((u) => u.key));
  const openids = new Set(users.map((u) => u.openid));
  if (keys.size !== users.length) throw new SimulatorInputError("user keys must be unique");
  if (openids.size !== users.length) throw new SimulatorInputError("user openids must be unique");
}
