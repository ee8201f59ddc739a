-- Fixture replay of upstream nsecbunkerd migration 20230527215212_add_descr.
ALTER TABLE "KeyUser" ADD COLUMN "description" TEXT;
