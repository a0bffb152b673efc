-- AlterEnum
ALTER TYPE "CartState" ADD VALUE 'REFUNDED';
