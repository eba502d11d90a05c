-- CreateTable
CREATE TABLE "MenuDraft" (
    "appId" TEXT NOT NULL PRIMARY KEY,
    "menu" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT
);

-- CreateTable
CREATE TABLE "MenuPublication" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "appId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "menu" TEXT,
    "matchRule" TEXT,
    "menuId" TEXT,
    "staff" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MenuConditional" (
    "appId" TEXT NOT NULL,
    "menuId" TEXT NOT NULL,
    "menu" TEXT NOT NULL,
    "matchRule" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "createdBy" TEXT NOT NULL,

    PRIMARY KEY ("appId", "menuId")
);

-- CreateIndex
CREATE INDEX "MenuPublication_appId_createdAt_idx" ON "MenuPublication"("appId", "createdAt");

