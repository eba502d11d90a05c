-- DropIndex
DROP INDEX "User_createdAt_id_idx";

-- CreateIndex
CREATE INDEX "User_createdAt_id_search_idx" ON "User"("createdAt", "id", "nickname", "remark");

