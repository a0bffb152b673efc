UPDATE "Cart" SET "note" = '' WHERE "note" IS NULL;

-- AlterTable
ALTER TABLE "Cart" ALTER COLUMN "note" SET NOT NULL,
ALTER COLUMN "note" SET DEFAULT '';
