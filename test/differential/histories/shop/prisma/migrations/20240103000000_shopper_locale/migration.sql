-- AlterTable
ALTER TABLE "Shopper" ADD COLUMN     "locale" TEXT NOT NULL DEFAULT 'en';
