-- CreateTable
CREATE TABLE "SnapshotAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "bindingHash" TEXT NOT NULL,
    "userId" TEXT,
    "userAgent" TEXT,
    "ip" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Staff" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastSignInAt" DATETIME,
    "disabledAt" DATETIME
);

-- CreateTable
CREATE TABLE "SignInAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "success" BOOLEAN NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "unionid" TEXT,
    "nickname" TEXT,
    "headimgurl" TEXT,
    "sex" INTEGER,
    "province" TEXT,
    "city" TEXT,
    "country" TEXT,
    "scope" TEXT NOT NULL DEFAULT 'snsapi_base',
    "userinfoAt" DATETIME,
    "subscribed" BOOLEAN,
    "subscribedAt" DATETIME,
    "remark" TEXT,
    "snapshotAttempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastLoginAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_User" ("city", "country", "createdAt", "headimgurl", "id", "lastLoginAt", "nickname", "province", "scope", "sex", "unionid", "updatedAt", "userinfoAt") SELECT "city", "country", "createdAt", "headimgurl", "id", "lastLoginAt", "nickname", "province", "scope", "sex", "unionid", "updatedAt", "userinfoAt" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_unionid_key" ON "User"("unionid");
CREATE INDEX "User_createdAt_id_idx" ON "User"("createdAt", "id");
CREATE INDEX "User_lastLoginAt_id_idx" ON "User"("lastLoginAt", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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
CREATE INDEX "Identity_openid_idx" ON "Identity"("openid");

