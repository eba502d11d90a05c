-- CreateTable
CREATE TABLE "CardLogo" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "createdBy" TEXT NOT NULL,

    CONSTRAINT "CardLogo_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Card" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "wxCardId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "brandName" TEXT NOT NULL,
    "draft" TEXT NOT NULL,
    "logoId" TEXT,
    "reviewStatus" TEXT NOT NULL DEFAULT 'NOT_VERIFY',
    "refuseReason" TEXT,
    "reviewedAt" TIMESTAMP(3),
    "quantity" INTEGER NOT NULL,
    "totalQuantity" INTEGER NOT NULL,
    "getLimit" INTEGER NOT NULL,
    "deletedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "createdBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Card_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CardCode" (
    "id" TEXT NOT NULL,
    "cardId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "openid" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'NORMAL',
    "fromFriend" BOOLEAN NOT NULL DEFAULT false,
    "friendOpenid" TEXT,
    "oldCode" TEXT,
    "outerStr" TEXT,
    "source" TEXT NOT NULL,
    "takenAt" TIMESTAMP(3) NOT NULL,
    "stateAt" TIMESTAMP(3),
    "consumeSource" TEXT,
    "consumedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CardCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CardEvent" (
    "id" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "wxCardId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "openid" TEXT,
    "code" TEXT,
    "day" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "appliedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CardEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CardLogo_appId_sha256_key" ON "CardLogo"("appId", "sha256");

-- CreateIndex
CREATE INDEX "Card_appId_createdAt_idx" ON "Card"("appId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Card_appId_wxCardId_key" ON "Card"("appId", "wxCardId");

-- CreateIndex
CREATE INDEX "CardCode_code_idx" ON "CardCode"("code");

-- CreateIndex
CREATE INDEX "CardCode_openid_takenAt_idx" ON "CardCode"("openid", "takenAt");

-- CreateIndex
CREATE INDEX "CardCode_cardId_state_idx" ON "CardCode"("cardId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "CardCode_cardId_code_key" ON "CardCode"("cardId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "CardEvent_dedupeKey_key" ON "CardEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "CardEvent_wxCardId_day_idx" ON "CardEvent"("wxCardId", "day");

-- CreateIndex
CREATE INDEX "CardEvent_wxCardId_event_createdAt_idx" ON "CardEvent"("wxCardId", "event", "createdAt");

-- AddForeignKey
ALTER TABLE "CardCode" ADD CONSTRAINT "CardCode_cardId_fkey" FOREIGN KEY ("cardId") REFERENCES "Card"("id") ON DELETE CASCADE ON UPDATE CASCADE;

