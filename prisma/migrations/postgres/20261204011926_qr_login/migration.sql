-- CreateTable
CREATE TABLE "QrLogin" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "scene" TEXT NOT NULL,
    "bindingHash" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "openid" TEXT,
    "scannedAt" TIMESTAMP(3),
    "userId" TEXT,
    "signedInAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QrLogin_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "QrLogin_scene_key" ON "QrLogin"("scene");

-- CreateIndex
CREATE INDEX "QrLogin_expiresAt_idx" ON "QrLogin"("expiresAt");

