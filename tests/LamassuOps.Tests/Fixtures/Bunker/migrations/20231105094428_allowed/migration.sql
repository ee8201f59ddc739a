-- Fixture replay of upstream nsecbunkerd migration 20231105094428_allowed.
ALTER TABLE "Request" ADD COLUMN "allowed" BOOLEAN;
