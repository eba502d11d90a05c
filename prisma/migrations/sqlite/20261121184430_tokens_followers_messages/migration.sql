-- CreateTable
CREATE TABLE "WeChatCredential" (
    "appid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "valueEnc" TEXT NOT NULL,
    "valueHash" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "source" TEXT NOT NULL,
    "fetchedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "invalidatedAt" DATETIME,

    PRIMARY KEY ("appid", "kind")
);

-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "leaseUntil" DATETIME NOT NULL,
    "acquiredAt" DATETIME NOT NULL,
    "fencing" INTEGER NOT NULL DEFAULT 1
);

-- CreateTable
CREATE TABLE "CredentialFetch" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "api" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "errcode" INTEGER,
    "errmsg" TEXT,
    "host" TEXT,
    "durationMs" INTEGER NOT NULL,
    "instance" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Tag" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "UserTag" (
    "userId" TEXT NOT NULL,
    "tagId" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("tagId", "userId"),
    CONSTRAINT "UserTag_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "UserTag_tagId_fkey" FOREIGN KEY ("tagId") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "cursor" TEXT NOT NULL DEFAULT '',
    "total" INTEGER,
    "listed" INTEGER NOT NULL DEFAULT 0,
    "upserted" INTEGER NOT NULL DEFAULT 0,
    "unsubscribed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "WeChatEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "dedupeKey" TEXT NOT NULL,
    "openid" TEXT NOT NULL,
    "userId" TEXT,
    "msgType" TEXT NOT NULL,
    "event" TEXT,
    "eventKey" TEXT,
    "content" TEXT,
    "payload" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reply" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "processedAt" DATETIME,
    "error" TEXT,
    CONSTRAINT "WeChatEvent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AutoReply" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "keyword" TEXT NOT NULL DEFAULT '',
    "match" TEXT NOT NULL DEFAULT 'exact',
    "reply" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PushNonce" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "unionid" TEXT,
    "nickname" TEXT,
    "headimgurl" TEXT,
    "sex" INTEGER,
    "province" TEXT,
    "city" TEXT,
    "country" TEXT,
    "scope" TEXT NOT NULL DEFAULT 'snsapi_base',
    "userinfoAt" DATETIME,
    "subscribed" BOOLEAN,
    "subscribedAt" DATETIME,
    "remark" TEXT,
    "snapshotAttempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastLoginAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unsubscribedAt" DATETIME,
    "subscribeScene" TEXT,
    "qrScene" TEXT,
    "language" TEXT,
    "followerSeenAt" DATETIME,
    "blacklisted" BOOLEAN NOT NULL DEFAULT false,
    "blacklistedAt" DATETIME
);
INSERT INTO "new_User" ("city", "country", "createdAt", "headimgurl", "id", "lastLoginAt", "nickname", "province", "remark", "scope", "sex", "snapshotAttempts", "subscribed", "subscribedAt", "unionid", "updatedAt", "userinfoAt") SELECT "city", "country", "createdAt", "headimgurl", "id", "lastLoginAt", "nickname", "province", "remark", "scope", "sex", "snapshotAttempts", "subscribed", "subscribedAt", "unionid", "updatedAt", "userinfoAt" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_unionid_key" ON "User"("unionid");
CREATE INDEX "User_createdAt_id_idx" ON "User"("createdAt", "id");
CREATE INDEX "User_lastLoginAt_id_idx" ON "User"("lastLoginAt", "id");
CREATE INDEX "User_province_scope_sex_subscribed_idx" ON "User"("province", "scope", "sex", "subscribed");
CREATE INDEX "User_followerSeenAt_idx" ON "User"("followerSeenAt");
CREATE INDEX "User_blacklisted_idx" ON "User"("blacklisted");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "CredentialFetch_appid_kind_createdAt_idx" ON "CredentialFetch"("appid", "kind", "createdAt");

-- CreateIndex
CREATE INDEX "CredentialFetch_createdAt_idx" ON "CredentialFetch"("createdAt");

-- CreateIndex
CREATE INDEX "UserTag_userId_idx" ON "UserTag"("userId");

-- CreateIndex
CREATE INDEX "SyncRun_kind_startedAt_idx" ON "SyncRun"("kind", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WeChatEvent_dedupeKey_key" ON "WeChatEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "WeChatEvent_userId_createdAt_idx" ON "WeChatEvent"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "WeChatEvent_status_receivedAt_idx" ON "WeChatEvent"("status", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "AutoReply_kind_keyword_key" ON "AutoReply"("kind", "keyword");

-- CreateIndex
CREATE INDEX "PushNonce_expiresAt_idx" ON "PushNonce"("expiresAt");

