-- Fixture replay of the live-grant fork's 20260619125847_live_grant_lifecycle_schema: SigningCondition
-- lifecycle columns, Request.keyUserId. Rows that exist when it runs get createdAt from the DEFAULT (TEXT).
-- The fork's exact types and defaults are not known; these are Prisma's defaults for such fields.
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SigningCondition" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "method" TEXT,
    "kind" TEXT,
    "content" TEXT,
    "keyUserKeyName" TEXT,
    "allowed" BOOLEAN,
    "keyUserId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "SigningCondition_keyUserId_fkey" FOREIGN KEY ("keyUserId") REFERENCES "KeyUser" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_SigningCondition" ("id", "method", "kind", "content", "keyUserKeyName", "allowed", "keyUserId")
    SELECT "id", "method", "kind", "content", "keyUserKeyName", "allowed", "keyUserId" FROM "SigningCondition";
DROP TABLE "SigningCondition";
ALTER TABLE "new_SigningCondition" RENAME TO "SigningCondition";
CREATE TABLE "new_Request" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "keyName" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requestId" TEXT NOT NULL,
    "remotePubkey" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "params" TEXT,
    "allowed" BOOLEAN,
    "keyUserId" INTEGER,
    CONSTRAINT "Request_keyUserId_fkey" FOREIGN KEY ("keyUserId") REFERENCES "KeyUser" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Request" ("id", "keyName", "createdAt", "requestId", "remotePubkey", "method", "params", "allowed")
    SELECT "id", "keyName", "createdAt", "requestId", "remotePubkey", "method", "params", "allowed" FROM "Request";
DROP TABLE "Request";
ALTER TABLE "new_Request" RENAME TO "Request";
CREATE INDEX "Request_keyUserId_method_idx" ON "Request"("keyUserId", "method");
PRAGMA foreign_key_check;
PRAGMA foreign_keys=ON;
