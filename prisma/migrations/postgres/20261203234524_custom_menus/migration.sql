-- CreateTable
CREATE TABLE "MenuDraft" (
    "appId" TEXT NOT NULL,
    "menu" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT,

    CONSTRAINT "MenuDraft_pkey" PRIMARY KEY ("appId")
);

-- CreateTable
CREATE TABLE "MenuPublication" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "menu" TEXT,
    "matchRule" TEXT,
    "menuId" TEXT,
    "staff" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MenuPublication_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MenuConditional" (
    "appId" TEXT NOT NULL,
    "menuId" TEXT NOT NULL,
    "menu" TEXT NOT NULL,
    "matchRule" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "createdBy" TEXT NOT NULL,

    CONSTRAINT "MenuConditional_pkey" PRIMARY KEY ("appId","menuId")
);

-- CreateIndex
CREATE INDEX "MenuPublication_appId_createdAt_idx" ON "MenuPublication"("appId", "createdAt");

