-- Fixture replay of upstream nsecbunkerd migration 20230703092203_revokedat.
ALTER TABLE "KeyUser" ADD COLUMN "revokedAt" DATETIME;
