-- 0008: end-to-end encryption per message and per conversation.
-- message.encryption: 0 none, 1 OMEMO (eu.siacs.conversations.axolotl), 2 OMEMO 2.
-- message.decryption_error: why an encrypted message could not be read (its body
-- then holds a notice for the user, never the ciphertext).
-- conversation.encryption: NULL while the user never chose (the first encrypted
-- message turns it on), 0 off, 1 OMEMO; once on, nothing is sent in clear text
-- until the user turns it off.
ALTER TABLE message ADD COLUMN encryption INTEGER NOT NULL DEFAULT 0;
ALTER TABLE message ADD COLUMN decryption_error TEXT NOT NULL DEFAULT '';
ALTER TABLE conversation ADD COLUMN encryption INTEGER;
