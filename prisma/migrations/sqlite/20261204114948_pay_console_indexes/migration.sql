-- CreateIndex
CREATE INDEX "PayOrder_state_createdAt_idx" ON "PayOrder"("state", "createdAt");

-- CreateIndex
CREATE INDEX "PayOrder_paidAt_idx" ON "PayOrder"("paidAt");

