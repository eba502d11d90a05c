-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- DropIndex
DROP INDEX "User_createdAt_idx";

-- DropIndex
DROP INDEX "User_lastLoginAt_idx";

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "remark" TEXT,
ADD COLUMN     "snapshotAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "subscribed" BOOLEAN,
ADD COLUMN     "subscribedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "SnapshotAttempt" (
    "id" TEXT NOT NULL,
    "bindingHash" TEXT NOT NULL,
    "userId" TEXT,
    "userAgent" TEXT,
    "ip" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SnapshotAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Staff" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastSignInAt" TIMESTAMP(3),
    "disabledAt" TIMESTAMP(3),

    CONSTRAINT "Staff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignInAttempt" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "success" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignInAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SnapshotAttempt_bindingHash_idx" ON "SnapshotAttempt"("bindingHash");

-- CreateIndex
CREATE INDEX "SnapshotAttempt_createdAt_idx" ON "SnapshotAttempt"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Staff_email_key" ON "Staff"("email");

-- CreateIndex
CREATE INDEX "SignInAttempt_email_createdAt_idx" ON "SignInAttempt"("email", "createdAt");

-- CreateIndex
CREATE INDEX "SignInAttempt_ip_createdAt_idx" ON "SignInAttempt"("ip", "createdAt");

-- CreateIndex
CREATE INDEX "User_nickname_trgm_idx" ON "User" USING GIN ("nickname" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "User_remark_trgm_idx" ON "User" USING GIN ("remark" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "User_createdAt_id_idx" ON "User"("createdAt", "id");

-- CreateIndex
CREATE INDEX "User_lastLoginAt_id_idx" ON "User"("lastLoginAt", "id");

-- CreateIndex
CREATE INDEX "Identity_openid_idx" ON "Identity"("openid");

