-- Fixture replay of upstream nsecbunkerd migration 20231105090854_request.
CREATE TABLE "Request" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "keyName" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requestId" TEXT NOT NULL,
    "remotePubkey" TEXT NOT NULL
);
