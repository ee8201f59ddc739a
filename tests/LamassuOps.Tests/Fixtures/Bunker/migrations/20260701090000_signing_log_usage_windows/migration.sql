-- Fixture stand-in for the live-grant fork's later usage-window migration (its real folder name is not known):
-- the SigningLog table, PolicyRule.windowSeconds, PolicyRule.currentUsageCount dropped. SigningLog.keyUserId is
-- required, so the foreign key takes Prisma's default for required relations (RESTRICT on delete).
CREATE TABLE "SigningLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "keyUserId" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "kind" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SigningLog_keyUserId_fkey" FOREIGN KEY ("keyUserId") REFERENCES "KeyUser" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "SigningLog_keyUserId_method_createdAt_idx" ON "SigningLog"("keyUserId", "method", "createdAt");
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PolicyRule" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "method" TEXT NOT NULL,
    "kind" TEXT,
    "maxUsageCount" INTEGER,
    "windowSeconds" INTEGER,
    "policyId" INTEGER,
    CONSTRAINT "PolicyRule_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_PolicyRule" ("id", "method", "kind", "maxUsageCount", "policyId")
    SELECT "id", "method", "kind", "maxUsageCount", "policyId" FROM "PolicyRule";
DROP TABLE "PolicyRule";
ALTER TABLE "new_PolicyRule" RENAME TO "PolicyRule";
PRAGMA foreign_key_check;
PRAGMA foreign_keys=ON;
