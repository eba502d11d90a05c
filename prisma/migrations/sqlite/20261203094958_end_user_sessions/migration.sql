-- AlterTable
ALTER TABLE "User" ADD COLUMN "profileRefreshedAt" DATETIME;
ALTER TABLE "User" ADD COLUMN "sessionsValidAfter" DATETIME;

-- CreateTable
CREATE TABLE "RevokedSession" (
    "sid" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "RevokedSession_expiresAt_idx" ON "RevokedSession"("expiresAt");

