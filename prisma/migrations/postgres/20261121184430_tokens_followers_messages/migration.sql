-- AlterTable
ALTER TABLE "User" ADD COLUMN     "blacklisted" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "blacklistedAt" TIMESTAMP(3),
ADD COLUMN     "followerSeenAt" TIMESTAMP(3),
ADD COLUMN     "language" TEXT,
ADD COLUMN     "qrScene" TEXT,
ADD COLUMN     "subscribeScene" TEXT,
ADD COLUMN     "unsubscribedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "WeChatCredential" (
    "appid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "valueEnc" TEXT NOT NULL,
    "valueHash" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "source" TEXT NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "invalidatedAt" TIMESTAMP(3),

    CONSTRAINT "WeChatCredential_pkey" PRIMARY KEY ("appid","kind")
);

-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "leaseUntil" TIMESTAMP(3) NOT NULL,
    "acquiredAt" TIMESTAMP(3) NOT NULL,
    "fencing" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "CredentialFetch" (
    "id" TEXT NOT NULL,
    "appid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "api" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "errcode" INTEGER,
    "errmsg" TEXT,
    "host" TEXT,
    "durationMs" INTEGER NOT NULL,
    "instance" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CredentialFetch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Tag" (
    "id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UserTag" (
    "userId" TEXT NOT NULL,
    "tagId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UserTag_pkey" PRIMARY KEY ("tagId","userId")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "cursor" TEXT NOT NULL DEFAULT '',
    "total" INTEGER,
    "listed" INTEGER NOT NULL DEFAULT 0,
    "upserted" INTEGER NOT NULL DEFAULT 0,
    "unsubscribed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WeChatEvent" (
    "id" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "openid" TEXT NOT NULL,
    "userId" TEXT,
    "msgType" TEXT NOT NULL,
    "event" TEXT,
    "eventKey" TEXT,
    "content" TEXT,
    "payload" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reply" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "processedAt" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "WeChatEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AutoReply" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "keyword" TEXT NOT NULL DEFAULT '',
    "match" TEXT NOT NULL DEFAULT 'exact',
    "reply" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AutoReply_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PushNonce" (
    "key" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PushNonce_pkey" PRIMARY KEY ("key")
);

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

-- CreateIndex
CREATE INDEX "User_followerSeenAt_idx" ON "User"("followerSeenAt");

-- CreateIndex
CREATE INDEX "User_blacklisted_idx" ON "User"("blacklisted");

-- AddForeignKey
ALTER TABLE "UserTag" ADD CONSTRAINT "UserTag_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UserTag" ADD CONSTRAINT "UserTag_tagId_fkey" FOREIGN KEY ("tagId") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WeChatEvent" ADD CONSTRAINT "WeChatEvent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

