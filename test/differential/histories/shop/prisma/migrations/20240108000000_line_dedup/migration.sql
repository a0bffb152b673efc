-- remove duplicate lines before the unique index
DELETE FROM "CartLine" a USING "CartLine" b WHERE a."cartId" = b."cartId" AND a."sku" = b."sku" AND a."id" > b."id";

-- CreateIndex
CREATE UNIQUE INDEX "CartLine_cartId_sku_key" ON "CartLine"("cartId", "sku");
