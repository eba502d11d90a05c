-- CreateTable
CREATE TABLE "PayOrder" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appId" TEXT NOT NULL,
    "mchid" TEXT NOT NULL,
    "outTradeNo" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "openid" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "attach" TEXT,
    "state" TEXT NOT NULL,
    "prepayId" TEXT,
    "prepayExpiresAt" DATETIME,
    "returnUrl" TEXT,
    "webhookUrl" TEXT,
    "caller" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "requestHash" TEXT,
    "transactionId" TEXT,
    "paidAt" DATETIME,
    "payerTotal" INTEGER,
    "refundReserved" INTEGER NOT NULL DEFAULT 0,
    "refundedAmount" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" DATETIME NOT NULL,
    "nextCheckAt" DATETIME,
    "lastQueriedAt" DATETIME,
    "closedAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PayRefund" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orderId" TEXT NOT NULL,
    "outRefundNo" TEXT NOT NULL,
    "refundId" TEXT,
    "amount" INTEGER NOT NULL,
    "reason" TEXT,
    "createdBy" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "requestHash" TEXT,
    "error" TEXT,
    "payCode" TEXT,
    "nextCheckAt" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "successAt" DATETIME,
    CONSTRAINT "PayRefund_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "PayOrder" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PayOrderEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orderId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "ref" TEXT,
    "detail" TEXT,
    "at" DATETIME NOT NULL,
    CONSTRAINT "PayOrderEvent_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "PayOrder" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PayIncident" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orderId" TEXT,
    "outTradeNo" TEXT NOT NULL,
    "outRefundNo" TEXT,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "expected" TEXT,
    "received" TEXT,
    "detail" TEXT,
    "createdAt" DATETIME NOT NULL,
    "resolvedAt" DATETIME,
    "resolvedBy" TEXT
);

-- CreateTable
CREATE TABLE "PayWebhook" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orderId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL,
    "deliveredAt" DATETIME,
    CONSTRAINT "PayWebhook_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "PayOrder" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PayWebhookAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "webhookId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "status" INTEGER,
    "error" TEXT,
    "ms" INTEGER NOT NULL,
    CONSTRAINT "PayWebhookAttempt_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "PayWebhook" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "PayOrder_outTradeNo_key" ON "PayOrder"("outTradeNo");

-- CreateIndex
CREATE UNIQUE INDEX "PayOrder_transactionId_key" ON "PayOrder"("transactionId");

-- CreateIndex
CREATE INDEX "PayOrder_state_nextCheckAt_idx" ON "PayOrder"("state", "nextCheckAt");

-- CreateIndex
CREATE INDEX "PayOrder_userId_createdAt_idx" ON "PayOrder"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "PayOrder_createdAt_idx" ON "PayOrder"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PayOrder_caller_idempotencyKey_key" ON "PayOrder"("caller", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "PayRefund_outRefundNo_key" ON "PayRefund"("outRefundNo");

-- CreateIndex
CREATE INDEX "PayRefund_state_nextCheckAt_idx" ON "PayRefund"("state", "nextCheckAt");

-- CreateIndex
CREATE INDEX "PayRefund_orderId_createdAt_idx" ON "PayRefund"("orderId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PayRefund_orderId_idempotencyKey_key" ON "PayRefund"("orderId", "idempotencyKey");

-- CreateIndex
CREATE INDEX "PayOrderEvent_orderId_at_idx" ON "PayOrderEvent"("orderId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "PayOrderEvent_orderId_kind_ref_key" ON "PayOrderEvent"("orderId", "kind", "ref");

-- CreateIndex
CREATE INDEX "PayIncident_orderId_idx" ON "PayIncident"("orderId");

-- CreateIndex
CREATE INDEX "PayIncident_resolvedAt_createdAt_idx" ON "PayIncident"("resolvedAt", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PayIncident_source_kind_key" ON "PayIncident"("source", "kind");

-- CreateIndex
CREATE INDEX "PayWebhook_state_nextAttemptAt_idx" ON "PayWebhook"("state", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "PayWebhook_orderId_eventKey_key" ON "PayWebhook"("orderId", "eventKey");

-- CreateIndex
CREATE UNIQUE INDEX "PayWebhookAttempt_webhookId_n_key" ON "PayWebhookAttempt"("webhookId", "n");

