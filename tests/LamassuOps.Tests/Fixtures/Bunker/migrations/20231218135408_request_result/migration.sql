-- Fixture replay of upstream nsecbunkerd migration 20231218135408_request_result.
ALTER TABLE "Request" ADD COLUMN "result" TEXT;
