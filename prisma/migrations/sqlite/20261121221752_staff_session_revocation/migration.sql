-- CreateTable
CREATE TABLE "RevokedStaffSession" (
    "jti" TEXT NOT NULL PRIMARY KEY,
    "staffId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "RevokedStaffSession_expiresAt_idx" ON "RevokedStaffSession"("expiresAt");

