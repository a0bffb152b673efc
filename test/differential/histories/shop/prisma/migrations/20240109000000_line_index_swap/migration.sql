-- DropIndex
DROP INDEX "CartLine_cartId_idx";

-- CreateIndex
CREATE INDEX "CartLine_cartId_idx" ON "CartLine"("cartId", "quantity");
