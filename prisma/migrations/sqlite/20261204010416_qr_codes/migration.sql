-- CreateTable
CREATE TABLE "QrCode" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "scene" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "ticket" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "expiresAt" DATETIME,
    "tagId" INTEGER,
    "welcome" TEXT,
    "createdAt" DATETIME NOT NULL,
    "createdBy" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "QrCode_appId_createdAt_idx" ON "QrCode"("appId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "QrCode_appId_scene_key" ON "QrCode"("appId", "scene");

-- CreateIndex
CREATE INDEX "WeChatEvent_eventKey_createdAt_idx" ON "WeChatEvent"("eventKey", "createdAt");

