-- Fixture replay of upstream nsecbunkerd migration 20230603121616_add_deleted.
ALTER TABLE "Policy" ADD COLUMN "deletedAt" DATETIME;
