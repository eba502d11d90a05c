-- CreateIndex
CREATE INDEX "User_province_scope_sex_subscribed_idx" ON "User"("province", "scope", "sex", "subscribed");

