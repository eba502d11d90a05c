-- CreateTable
CREATE TABLE "QrLogin" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appId" TEXT NOT NULL,
    "scene" TEXT NOT NULL,
    "bindingHash" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "openid" TEXT,
    "scannedAt" DATETIME,
    "userId" TEXT,
    "signedInAt" DATETIME,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "QrLogin_scene_key" ON "QrLogin"("scene");

-- CreateIndex
CREATE INDEX "QrLogin_expiresAt_idx" ON "QrLogin"("expiresAt");

