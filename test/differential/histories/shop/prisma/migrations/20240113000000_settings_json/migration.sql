-- AlterTable
ALTER TABLE "Shopper" ADD COLUMN "settings" TEXT;

-- AlterTable
ALTER TABLE "Shopper" ALTER COLUMN "settings" TYPE JSONB USING "settings"::jsonb;
ALTER TABLE "Shopper" ALTER COLUMN "settings" SET DEFAULT '{}';
