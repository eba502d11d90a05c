import "server-only";
// The composition root: every service of the running app, built from the parsed env and the database
// on first use and kept for the process. Route handlers and pages take what they need from `services`;
// nothing else builds a service (features export create…(deps) factories or functions taking a narrow
// `…Deps` object, and tests build their own).
//
// Module scope, not globalThis: `next build` gives pages and route handlers separate copies of lib/, and
// a service made by one copy throws that copy's WeChatApiError, which `instanceof` in the other copy does
// not recognise (every WeChat error then became "internal"). The database client, which is shared,
// stays on globalThis (lib/db.ts).
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { createAuthDeps, type AuthDeps } from "@/lib/auth/deps";
import { db, type Db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { UserListDeps } from "@/lib/admin/users";
import type { StatsDeps } from "@/lib/admin/stats";
import type { FollowerDeps } from "@/lib/followers/deps";
import type { FollowerSyncDeps } from "@/lib/followers/sync";
import { autoReplyCache } from "@/lib/messages/auto-replies";
import { randomReplyNonce, type MessageDeps } from "@/lib/messages/endpoint";
import { openMessageStore } from "@/lib/messages/open-store";
import { createTokenService, type TokenService } from "@/lib/token/service";
import type { CgiClient } from "@/lib/wechat/cgi";
import { WeChatFollowers } from "@/lib/wechat/followers";
import { MessageCrypto } from "@/lib/wechat/message-crypto";
import { databaseKind } from "@/prisma/database-url";

/** This process, as a lease holder: host, pid and a random tag (a restarted process is someone else). */
export const INSTANCE = `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;

const now = () => new Date();

export interface AppDeps {
  readonly db: Db;
  readonly appId: string;
  readonly now: () => Date;
}

interface Built {
  app?: AppDeps;
  auth?: AuthDeps;
  tokens?: TokenService;
  followers?: FollowerSyncDeps & FollowerDeps;
  messages?: MessageDeps | null;
  userList?: UserListDeps;
  stats?: StatsDeps;
}
const built: Built = {};

/** The message endpoint's deps; null (and said once in the log) when WECHAT_TOKEN is unset. */
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
    store: openMessageStore(db(), e.DATABASE_URL, e.WECHAT_APP_ID),
    appId: e.WECHAT_APP_ID,
    token: e.WECHAT_TOKEN,
    crypto: e.WECHAT_ENCODING_AES_KEY ? new MessageCrypto(e.WECHAT_ENCODING_AES_KEY, e.WECHAT_APP_ID) : null,
    now,
    replyNonce: randomReplyNonce,
    autoReplies: autoReplyCache(db()),
  };
}

export const services = {
  /** The process's database (lib/db.ts). */
  get db(): Db {
    return db();
  },
  /** The database, our Official Account's appid and the clock: what read-only views need. */
  get app(): AppDeps {
    return (built.app ??= { db: db(), appId: env().WECHAT_APP_ID, now });
  },
  /** Login and the end user's profile: the WeChat OAuth client, the web-token key, the clock. */
  get auth(): AuthDeps {
    return (built.auth ??= createAuthDeps(env(), db()));
  },
  /** The central token service (access_token and jsapi_ticket for every process of the account). */
  get tokens(): TokenService {
    return (built.tokens ??= createTokenService(env(), db()));
  },
  /** The CgiClient every cgi-bin caller uses: the one shared access_token, host failover. */
  get cgi(): CgiClient {
    return services.tokens.cgi;
  },
  /** Followers, tags, blacklist and remarks, and the follower sync (this process as lease holder). */
  get followers(): FollowerSyncDeps & FollowerDeps {
    return (built.followers ??= {
      db: db(),
      wechat: new WeChatFollowers(services.cgi),
      appId: env().WECHAT_APP_ID,
      now,
      holder: INSTANCE,
    });
  },
  /** The message endpoint's deps; 404 push_disabled when it is not configured. */
  get messages(): MessageDeps {
    if (built.messages === undefined) built.messages = buildMessages();
    if (!built.messages) throw new AppError("push_disabled");
    return built.messages;
  },
  /** The admin console's user list and export. */
  get userList(): UserListDeps {
    return (built.userList ??= { db: db(), kind: databaseKind(env().DATABASE_URL), appId: env().WECHAT_APP_ID });
  },
  /** The dashboard's figures. */
  get stats(): StatsDeps {
    return (built.stats ??= { db: db(), kind: databaseKind(env().DATABASE_URL), now });
  },
};
