-- Fixture replay of the live-grant fork's 20260530112308_add_token_revoked_at: Token.revokedAt.
ALTER TABLE "Token" ADD COLUMN "revokedAt" DATETIME;
