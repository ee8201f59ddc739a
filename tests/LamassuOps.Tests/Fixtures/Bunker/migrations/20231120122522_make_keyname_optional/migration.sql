-- Fixture replay of upstream nsecbunkerd migration 20231120122522_make_keyname_optional.
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Request" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "keyName" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requestId" TEXT NOT NULL,
    "remotePubkey" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "params" TEXT,
    "allowed" BOOLEAN
);
INSERT INTO "new_Request" ("id", "keyName", "createdAt", "requestId", "remotePubkey", "method", "params", "allowed")
    SELECT "id", "keyName", "createdAt", "requestId", "remotePubkey", "method", "params", "allowed" FROM "Request";
DROP TABLE "Request";
ALTER TABLE "new_Request" RENAME TO "Request";
PRAGMA foreign_key_check;
PRAGMA foreign_keys=ON;
