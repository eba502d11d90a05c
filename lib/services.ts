import "server-only";
// The composition root: the running app's services, each built from the parsed env and the database on
// first use and kept for the process. Routes and pages take them from here; features take narrow …Deps
// objects and build nothing themselves (tests build their own). Module scope, not globalThis: `next
// build` gives pages and route handlers separate copies of lib/, and a service made by one copy throws
// that copy's WeChatApiError, which `instanceof` in the other does not recognise. The database client,
// which is shared, stays on globalThis (lib/db/client.ts).
import { randomBytes } from "node:crypto";
import { createAuthDeps, type AuthDeps } from "@/lib/auth/deps";
import type { CardDeps } from "@/lib/cards/cards";
import { CardPushStore } from "@/lib/cards/events";
import type { QrLoginDeps } from "@/lib/auth/qr-login";
import { db, dialectOf, type Db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import type { UserListDeps } from "@/lib/admin/users";
import type { StatsDeps } from "@/lib/admin/stats";
import type { FollowerDeps } from "@/lib/followers/deps";
import { followerSyncJob, type FollowerSyncDeps } from "@/lib/followers/sync";
import { openJobBackend } from "@/lib/jobs/open";
import { JobRunner } from "@/lib/jobs/runner";
import type { JobDefinition } from "@/lib/jobs/types";
import type { MenuDeps } from "@/lib/menu/menus";
import { qrTagJob, type QrDeps } from "@/lib/qrcodes/qrcodes";
import type { TemplateDeps } from "@/lib/templates/templates";
import { messageJob, resumePausedJob, type MessageJobDeps } from "@/lib/templates/jobs";
import { autoReplyCache } from "@/lib/messages/auto-replies";
import { randomReplyNonce, type MessageDeps } from "@/lib/messages/endpoint";
import { openMessageStore } from "@/lib/messages/open-store";
import { pendingEventsJob } from "@/lib/messages/process";
import { retentionJob } from "@/lib/retention";
import { createTokenService, newInstanceId, type TokenService } from "@/lib/token/service";
import type { CgiClient } from "@/lib/wechat/cgi";
import { WeChatCards } from "@/lib/wechat/card/client";
import { WeChatFollowers } from "@/lib/wechat/followers";
import { WeChatMenus } from "@/lib/wechat/menu";
import { WeChatQrCodes } from "@/lib/wechat/qrcode";
import { WeChatCustomService, WeChatTemplates } from "@/lib/wechat/template";
import { ApiHosts } from "@/lib/wechat/hosts";
import { MessageCrypto } from "@/lib/wechat/message-crypto";
import { nodeTransport, type HttpFetch } from "@/lib/wechat/transport";
import { payClientSource } from "@/lib/pay/client";
import { payReconcileJob, payWebhooksJob } from "@/lib/pay/jobs";
import type { PayDeps } from "@/lib/pay/deps";

/** This process, as a lease holder: host, pid and a random tag (a restarted process is someone else). */
export const INSTANCE = newInstanceId();

export interface AppDeps {
  readonly db: Db;
  readonly appId: string;
  readonly now: () => Date;
}

const now = () => new Date();
const built: {
  app?: AppDeps;
  auth?: AuthDeps;
  apiHosts?: ApiHosts;
  transport?: HttpFetch;
  tokens?: TokenService;
  followers?: FollowerSyncDeps & FollowerDeps;
  messages?: MessageDeps | null;
  userList?: UserListDeps;
  menus?: MenuDeps;
  qrcodes?: QrDeps;
  qrLogin?: QrLoginDeps;
  templates?: TemplateDeps;
  messageJobs?: MessageJobDeps;
  stats?: StatsDeps;
  cards?: CardDeps;
  pay?: PayDeps | null;
} = {};

/** WeChat Pay's deps, or null (said once in the log) when payments are off. */
function buildPay(): PayDeps | null {
  const e = env();
  const client = payClientSource(e.pay, { appId: e.WECHAT_APP_ID, client: { fetch: services.transport } });
  if (!client) {
    log.warn("pay_disabled", { reason: "no WECHAT_PAY_* merchant is configured: the pay routes answer pay_disabled" });
    return null;
  }
  return {
    db: db(),
    appId: e.WECHAT_APP_ID,
    now,
    client,
    appUrl: e.APP_URL,
    notifyUrl: `${e.APP_URL}/api/pay/notify`,
    allowedOrigins: e.payAllowedOrigins,
    webhookSecret: e.PAY_WEBHOOK_SECRET ?? null,
    randomBytes: (n) => randomBytes(n),
  };
}

/** The message endpoint's deps, or null (said once in the log) without WECHAT_TOKEN. */
function buildMessages(): MessageDeps | null {
  const e = env();
  if (!e.WECHAT_TOKEN) {
    log.warn("message_endpoint_disabled", { reason: "WECHAT_TOKEN is not set: /api/wechat/message answers 404" });
    return null;
  }
  if (!e.WECHAT_ENCODING_AES_KEY) {
    log.warn("message_endpoint_plaintext_only", {
      reason: "WECHAT_ENCODING_AES_KEY is not set: safe-mode (encrypt_type=aes) pushes answer 503",
    });
  }
  return {
    db: db(),
    // The card pushes are applied in front of the store, each once (lib/cards/events.ts).
    store: new CardPushStore(openMessageStore(db(), e.DATABASE_URL, e.WECHAT_APP_ID), {
      db: db(),
      appId: e.WECHAT_APP_ID,
      now,
    }),
    appId: e.WECHAT_APP_ID,
    token: e.WECHAT_TOKEN,
    crypto: e.WECHAT_ENCODING_AES_KEY ? new MessageCrypto(e.WECHAT_ENCODING_AES_KEY, e.WECHAT_APP_ID) : null,
    now,
    replyNonce: randomReplyNonce,
    autoReplies: autoReplyCache(db()),
  };
}

// The runner lives on globalThis: the start-up hook and the route handlers are separate copies of lib/,
// and one process must run one runner (it also survives Next.js dev reloads). Rebuilt for another database.
const globalForJobs = globalThis as unknown as { wcucJobs?: { db: Db; runner: JobRunner } };

/** The app's runner with every job the product runs; `supervise` only matters to whoever builds it first. */
function appJobs(supervise: boolean): JobRunner {
  const current = globalForJobs.wcucJobs;
  if (current?.db === db()) return current.runner;
  const runner = services.runner(
    [
      followerSyncJob(services.followers),
      pendingEventsJob(() => {
        const d = services.messages;
        return d && { store: d.store, now: d.now };
      }),
      retentionJob({ db: db(), now, ...env() }),
      qrTagJob(services.followers),
      messageJob(() => services.messageJobs),
      resumePausedJob(
        () => services.messageJobs,
        () => services.jobs,
      ),
      payReconcileJob(() => services.pay),
      payWebhooksJob(() => services.pay),
    ] as unknown as JobDefinition<never>[],
    { supervise },
  );
  globalForJobs.wcucJobs = { db: db(), runner };
  return runner;
}

export const services = {
  get db(): Db {
    return db();
  },
  /** The database, our Official Account's appid and the clock: what read-only views need. */
  get app(): AppDeps {
    return (built.app ??= { db: db(), appId: env().WECHAT_APP_ID, now });
  },
  /** Login and the end user's profile (the WeChat OAuth client inside). */
  get auth(): AuthDeps {
    return (built.auth ??= createAuthDeps(env(), db(), {}, services.apiHosts, services.transport));
  },
  /** api.weixin.qq.com's health and its api2 backup, one for the process: login and cgi-bin fail over together. */
  get apiHosts(): ApiHosts {
    const e = env();
    return (built.apiHosts ??= new ApiHosts({ primary: e.WECHAT_API_BASE, backup: e.WECHAT_API_BACKUP_BASE }));
  },
  /** HTTP to WeChat for the process: node:http(s) with kept-alive connections, a fraction of fetch's CPU per call. */
  get transport(): HttpFetch {
    return (built.transport ??= nodeTransport());
  },
  /** The central token service: access_token and jsapi_ticket for every process of the account. */
  get tokens(): TokenService {
    return (built.tokens ??= createTokenService(env(), db(), {}, services.apiHosts, services.transport));
  },
  /** For every cgi-bin caller: the one shared access_token, host failover. */
  get cgi(): CgiClient {
    return services.tokens.cgi;
  },
  /** Followers, tags, blacklist, remarks and the follower sync (this process as the lease holder). */
  get followers(): FollowerSyncDeps & FollowerDeps {
    const { WECHAT_APP_ID: appId } = env();
    return (built.followers ??= { db: db(), wechat: new WeChatFollowers(services.cgi), appId, now, holder: INSTANCE });
  },
  /** The custom menu: draft, publishing, history, conditional menus (this app's host is not an outside domain). */
  get menus(): MenuDeps {
    const { WECHAT_APP_ID: appId, APP_URL } = env();
    const check = { ownHosts: [new URL(APP_URL).hostname] };
    return (built.menus ??= { db: db(), wechat: new WeChatMenus(services.cgi, check), appId, now, check });
  },
  /** Channel QR codes: made with qrcode/create, counted from the subscribe/SCAN pushes. */
  get qrcodes(): QrDeps {
    const { WECHAT_APP_ID: appId } = env();
    return (built.qrcodes ??= { db: db(), wechat: new WeChatQrCodes(services.cgi), appId, now });
  },
  /** Template messages and customer service replies: the templates, sends to one person, delivery. */
  get templates(): TemplateDeps {
    const { WECHAT_APP_ID: appId, APP_URL: appUrl } = env();
    return (built.templates ??= {
      db: db(),
      appId,
      now,
      appUrl,
      wechat: new WeChatTemplates(services.cgi),
      custom: new WeChatCustomService(services.cgi),
    });
  },
  /** Mass sends of template messages (群发): the templates' deps and the database's dialect. */
  get messageJobs(): MessageJobDeps {
    return (built.messageJobs ??= { ...services.templates, dialect: dialectOf(db()), holder: INSTANCE });
  },
  /**
   * Cards and coupons (卡券): WeChat's card API on the shared CgiClient, the central wx_card ticket for
   * wx.addCard's cardExt.
   */
  get cards(): CardDeps {
    const { WECHAT_APP_ID: appId } = env();
    return (built.cards ??= {
      db: db(),
      wechat: new WeChatCards(services.cgi),
      appId,
      now,
      cardTicket: () => services.tokens.cardTicket(),
      randomBytes: (n) => randomBytes(n),
    });
  },
  /** WeChat Pay (lib/pay): orders, the cashier's prepay, notifications, refunds; null when payments are off. */
  get pay(): PayDeps | null {
    if (built.pay === undefined) built.pay = buildPay();
    return built.pay;
  },
  /** Sign in on a PC by scanning: login's database, clock, randomness and start limit, and qrcode/create. */
  get qrLogin(): QrLoginDeps {
    const { db, appId, now, randomBytes, startLimiter } = services.auth;
    const { wechat: followers } = services.followers;
    return (built.qrLogin ??= {
      db,
      appId,
      now,
      randomBytes,
      startLimiter,
      qrcodes: services.qrcodes.wechat,
      followers,
    });
  },
  /** The message endpoint's, or null when it is off (no WECHAT_TOKEN). */
  get messages(): MessageDeps | null {
    if (built.messages === undefined) built.messages = buildMessages();
    return built.messages;
  },
  get userList(): UserListDeps {
    return (built.userList ??= { ...services.app, dialect: dialectOf(db()) });
  },
  get stats(): StatsDeps {
    return (built.stats ??= { ...services.app, dialect: dialectOf(db()) });
  },
  /**
   * Background jobs (lib/jobs): the follower sync, the minute retry of pending pushes, retention, QR-code
   * tags, mass sends of template messages and the minute resume of those paused by WeChat's daily limit,
   * and the pay sweep (lib/pay/jobs.ts: orders asked about and closed, refunds resent or asked about,
   * webhooks delivered).
   */
  get jobs(): JobRunner {
    return appJobs(false);
  },
  /** A runner for only `jobs` on the process's database (the sync CLI's, with its progress listener). */
  runner(jobs: readonly JobDefinition<never>[], options: { supervise: boolean }): JobRunner {
    const backend = openJobBackend(env().DATABASE_URL, db(), now, options.supervise);
    return new JobRunner({ backend, db: db(), now, holder: INSTANCE }, jobs);
  },
  /**
   * Start-up: ticks the runner every few seconds; on PostgreSQL this process also supervises pg-boss
   * (expires the jobs of dead runners, archives old ones). Nothing to stop at exit: a job cut short is
   * picked up again once its heartbeat is over, from its checkpoint, as after a crash.
   */
  startJobs(): void {
    appJobs(true).start(5000);
  },
};
