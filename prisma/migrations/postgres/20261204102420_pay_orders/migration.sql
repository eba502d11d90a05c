-- CreateTable
CREATE TABLE "PayOrder" (
    "id" TEXT NOT NULL,
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
    "prepayExpiresAt" TIMESTAMP(3),
    "returnUrl" TEXT,
    "webhookUrl" TEXT,
    "caller" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "requestHash" TEXT,
    "transactionId" TEXT,
    "paidAt" TIMESTAMP(3),
    "payerTotal" INTEGER,
    "refundReserved" INTEGER NOT NULL DEFAULT 0,
    "refundedAmount" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "nextCheckAt" TIMESTAMP(3),
    "lastQueriedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PayOrder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PayRefund" (
    "id" TEXT NOT NULL,
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
    "nextCheckAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "successAt" TIMESTAMP(3),

    CONSTRAINT "PayRefund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PayOrderEvent" (
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "ref" TEXT,
    "detail" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PayOrderEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PayIncident" (
    "id" TEXT NOT NULL,
    "orderId" TEXT,
    "outTradeNo" TEXT NOT NULL,
    "outRefundNo" TEXT,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "expected" TEXT,
    "received" TEXT,
    "detail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "resolvedAt" TIMESTAMP(3),
    "resolvedBy" TEXT,

    CONSTRAINT "PayIncident_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PayWebhook" (
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "PayWebhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PayWebhookAttempt" (
    "id" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "status" INTEGER,
    "error" TEXT,
    "ms" INTEGER NOT NULL,

    CONSTRAINT "PayWebhookAttempt_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "PayRefund" ADD CONSTRAINT "PayRefund_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "PayOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PayOrderEvent" ADD CONSTRAINT "PayOrderEvent_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "PayOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PayWebhook" ADD CONSTRAINT "PayWebhook_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "PayOrder"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PayWebhookAttempt" ADD CONSTRAINT "PayWebhookAttempt_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "PayWebhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

