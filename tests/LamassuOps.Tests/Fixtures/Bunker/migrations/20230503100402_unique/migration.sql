-- Fixture replay of upstream nsecbunkerd migration 20230503100402_unique.
CREATE UNIQUE INDEX "KeyUser_keyName_userNpub_key" ON "KeyUser"("keyName", "userNpub");
