-- Fixture replay of upstream nsecbunkerd migration 20230503103731_add_method.
ALTER TABLE "SigningCondition" ADD COLUMN "method" TEXT;
