-- CreateTable
CREATE TABLE "MessageTemplate" (
    "appId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "primaryIndustry" TEXT NOT NULL,
    "deputyIndustry" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "example" TEXT NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MessageTemplate_pkey" PRIMARY KEY ("appId","templateId")
);

-- CreateTable
CREATE TABLE "OutboundMessage" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "jobId" TEXT,
    "userId" TEXT NOT NULL,
    "openid" TEXT NOT NULL,
    "templateId" TEXT,
    "data" TEXT,
    "url" TEXT,
    "miniprogram" TEXT,
    "content" TEXT,
    "status" TEXT NOT NULL,
    "clientMsgId" TEXT,
    "msgid" TEXT,
    "errcode" INTEGER,
    "error" TEXT,
    "idempotencyKey" TEXT,
    "source" TEXT NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "OutboundMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MessageJob" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "url" TEXT,
    "miniprogram" TEXT,
    "recipients" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "total" INTEGER NOT NULL,
    "resumeAt" TIMESTAMP(3),
    "error" TEXT,
    "errcode" INTEGER,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "MessageJob_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OutboundMessage_appId_msgid_idx" ON "OutboundMessage"("appId", "msgid");

-- CreateIndex
CREATE INDEX "OutboundMessage_userId_createdAt_idx" ON "OutboundMessage"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "OutboundMessage_jobId_status_id_idx" ON "OutboundMessage"("jobId", "status", "id");

-- CreateIndex
CREATE INDEX "OutboundMessage_status_sentAt_idx" ON "OutboundMessage"("status", "sentAt");

-- CreateIndex
CREATE UNIQUE INDEX "OutboundMessage_appId_idempotencyKey_key" ON "OutboundMessage"("appId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "OutboundMessage_jobId_userId_key" ON "OutboundMessage"("jobId", "userId");

-- CreateIndex
CREATE INDEX "MessageJob_appId_createdAt_idx" ON "MessageJob"("appId", "createdAt");

-- CreateIndex
CREATE INDEX "MessageJob_state_resumeAt_idx" ON "MessageJob"("state", "resumeAt");

