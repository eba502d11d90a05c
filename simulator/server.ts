/**
 * Local WeChat simulator: open.weixin.qq.com's authorize page and api.weixin.qq.com's APIs on one
 * origin, with controls for tests (modelled on navikt/mock-oauth2-server): scripted failures, a
 * movable clock, request recording. This file is its public face: options, defaults, the Simulator
 * interface and startSimulator(), which builds the world (world.ts), one surface per part of WeChat
 * (oauth/, cgi/, push/), the controls (controls/) and the router (http/).
 *
 * Node built-ins only, and nothing shared with lib/: it is the fake upstream, and sharing code
 * with the client would let the same bug on both sides cancel out.
 */
import type { Server } from "node:http";
import { addCardBrowserRoutes } from "./cards/add-card-script";
import { Cards } from "./cards/cards";
import { BasicTokens } from "./cgi/basic-token";
import { blacklistRoutes } from "./cgi/blacklist";
import { Followers } from "./cgi/followers";
import { cgiRoutes } from "./cgi/guard";
import { Menus } from "./cgi/menus";
import { Messages } from "./cgi/messages";
import { QrCodes } from "./cgi/qrcodes";
import { tagRoutes } from "./cgi/tags";
import { JsapiTickets } from "./cgi/ticket";
import { userRoutes } from "./cgi/users";
import type { Failure, Outage, SimHost } from "./controls/failures";
import { controlRoutes } from "./controls/routes";
import { jsonReply, nginxError } from "./http/reply";
import { Router } from "./http/router";
import { closeServer, createSimServer, listen, serve } from "./http/serve";
import { oauthRoutes } from "./oauth/routes";
import { WeChatPaySim, type PayOptions } from "./pay";
import { ACCESS_TOKEN_TTL_SECONDS, CODE_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } from "./oauth/sns";
import { MessagePusher, type PusherOptions } from "./push";
import type { Surface } from "./surface";
import { DEFAULT_USER_KEY, type TestUser } from "./users";
import { World, type RecordedRequest } from "./world";

export type { TestUser } from "./users";
export type { Failure, Outage, SimHost } from "./controls/failures";
export type { RecordedRequest } from "./world";
export type { AddCardResult, ReviewMode, SimCard, SimCode, TakeResult } from "./cards/cards";
export { SimulatorInputError } from "./errors";
export { CONFIRM_PATH } from "./oauth/pages";
export { AUTHORIZE_PATH, USER_COOKIE } from "./oauth/routes";
export { PAY_DEFAULTS, RETRY_SCHEDULE_SECONDS, type MerchantMaterial, type NotificationRecord } from "./pay";

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
  /** The message pusher's Token, EncodingAESKey, target and timing (simulator/push/). */
  push?: PusherOptions;
  /** Port of the second origin (api2.weixin.qq.com's stand-in, sharing all state); default 0 (any). */
  backupPort?: number;
  /** WeChat Pay: mchid, keys (made on first use by default), notification transport and timing (simulator/pay/). */
  pay?: PayOptions;
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
  /** Custom menus (cgi-bin/menu/*): seed a console-made menu, set a persona's platform, read the state. */
  readonly menus: Menus;
  /** Parametric QR codes (cgi-bin/qrcode/create): the codes made, by ticket. */
  readonly qrcodes: QrCodes;
  /** Template and customer service messages: templates, sends per openid, delivery reports, the 48-hour window. */
  readonly messages: Messages;
  /** Cards and coupons (card/*, media/uploadimg): reviews, codes, a persona's takes, wx.addCard's check. */
  readonly cards: Cards;
  /** WeChat Pay v3 (/v3/...): the merchant's material, orders and refunds, the payer's confirmation, faults, notifications. */
  readonly pay: WeChatPaySim;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const world = new World({
    appId: options.appId ?? SIM_DEFAULTS.appId,
    appSecret: options.appSecret ?? SIM_DEFAULTS.appSecret,
    appName: options.appName ?? SIM_DEFAULTS.appName,
    openPlatformAppId: SIM_DEFAULTS.openPlatformAppId,
    redirectDomains: options.redirectDomains ?? SIM_DEFAULTS.redirectDomains,
    users: options.users,
    startTime: options.startTime,
  });
  const basicTokens = new BasicTokens(world);
  const tickets = new JsapiTickets(world, basicTokens);
  const followers = new Followers(world);
  const push = new MessagePusher(world, options.push);
  const cgi = cgiRoutes(world, basicTokens);
  const qrcodes = new QrCodes(world, followers, push);
  const messages = new Messages(world, followers, push);
  const cards = new Cards(world, basicTokens, tickets, followers, push);
  const menus = new Menus(
    followers,
    (options.redirectDomains ?? SIM_DEFAULTS.redirectDomains).map((d) => d.trim().toLowerCase()),
  );
  const pay = new WeChatPaySim(
    world,
    {
      isOpenid: (openid) =>
        world.users().some((u) => u.openid === openid && !u.snapshot) || followers.indexOf(openid) !== undefined,
      httpNotifyHosts: options.redirectDomains ?? SIM_DEFAULTS.redirectDomains,
      onAdvance: (listener) => world.onAdvance(listener),
      realClock: options.startTime === undefined,
    },
    options.pay,
  );
  // Later surfaces may depend on earlier ones (every cgi-bin route checks basicTokens).
  const surfaces: Surface[] = [
    { routes: oauthRoutes(world) },
    basicTokens,
    tickets,
    followers,
    { routes: [...userRoutes(followers, cgi), ...tagRoutes(followers, cgi), ...blacklistRoutes(followers, cgi)] },
    { routes: menus.cgiRoutes(cgi), controls: menus.controls, reset: () => menus.reset() },
    { routes: qrcodes.cgiRoutes(cgi), controls: qrcodes.controls, reset: () => qrcodes.reset() },
    {
      routes: messages.cgiRoutes(cgi),
      controls: messages.controls,
      reset: () => messages.reset(),
      close: () => messages.close(),
    },
    {
      routes: cards.cgiRoutes(cgi),
      controls: [...cards.controls, ...addCardBrowserRoutes(world, cards)],
      reset: () => cards.reset(),
      close: () => cards.close(),
    },
    push,
    pay,
  ];
  const reset = () => {
    world.reset();
    for (const surface of surfaces) surface.reset?.();
  };
  const routers = {
    upstream: new Router(
      surfaces.flatMap((s) => s.routes ?? []),
      () => nginxError(404),
    ),
    controls: new Router([...controlRoutes(world, reset), ...surfaces.flatMap((s) => s.controls ?? [])], (req) =>
      jsonReply(404, { ok: false, error: `unknown control route ${req.path}` }),
    ),
  };
  const servers = (["primary", "backup"] as const).map((host) =>
    createSimServer((req, res) => serve(world, routers, req, res, host)),
  ) as [Server, Server];
  const host = options.host ?? SIM_DEFAULTS.host;
  world.listening(await listen(servers[0], options.port ?? 0, host));
  const backupUrl = await listen(servers[1], options.backupPort ?? 0, host);

  let closed = false;
  return {
    get url() {
      return world.url();
    },
    backupUrl,
    get users() {
      return world.users();
    },
    basicTokens,
    tickets,
    followers,
    push,
    menus,
    qrcodes,
    messages,
    cards,
    pay,
    async close() {
      if (closed) return;
      closed = true;
      world.releaseHanging();
      for (const surface of surfaces) await surface.close?.();
      await Promise.all(servers.map(closeServer));
    },
    selectUser: (key) => world.selectUser(key),
    failNext: (path, failure, times) => world.failNext(path, failure, times),
    advance: (seconds) => world.advance(seconds),
    now: () => world.now(),
    revoke: (openid) => world.revoke(openid),
    requests: () => world.requests(),
    clearRequests: () => world.clearRequests(),
    reset,
    setOutage: (host, outage) => world.setOutage(host, outage),
  };
}
