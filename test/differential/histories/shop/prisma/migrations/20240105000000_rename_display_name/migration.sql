-- AlterTable
ALTER TABLE "Shopper" RENAME COLUMN "displayName" TO "fullName";
