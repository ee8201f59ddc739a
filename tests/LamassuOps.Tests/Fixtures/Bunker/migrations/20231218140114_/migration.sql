-- Fixture replay of upstream nsecbunkerd migration 20231218140114_ (the folder name has no description).
CREATE UNIQUE INDEX "Key_keyName_key" ON "Key"("keyName");
