-- CreateIndex
CREATE INDEX "User_qrScene_createdAt_idx" ON "User"("qrScene", "createdAt");

