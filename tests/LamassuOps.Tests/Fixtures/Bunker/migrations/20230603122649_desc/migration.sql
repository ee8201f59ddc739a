-- Fixture replay of upstream nsecbunkerd migration 20230603122649_desc.
ALTER TABLE "Policy" ADD COLUMN "description" TEXT;
