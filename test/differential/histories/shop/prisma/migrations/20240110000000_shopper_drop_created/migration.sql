-- AlterTable
ALTER TABLE "Shopper" DROP COLUMN "createdAt";
