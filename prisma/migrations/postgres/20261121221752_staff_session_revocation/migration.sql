-- CreateTable
CREATE TABLE "RevokedStaffSession" (
    "jti" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RevokedStaffSession_pkey" PRIMARY KEY ("jti")
);

-- CreateIndex
CREATE INDEX "RevokedStaffSession_expiresAt_idx" ON "RevokedStaffSession"("expiresAt");

