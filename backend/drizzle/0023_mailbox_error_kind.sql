-- What a person should do about a mailbox's last error (shared/src/contracts.ts mailboxErrorKindSchema);
-- rows written before it have none, and the pane shows their sentence alone.
ALTER TABLE "mailboxes" ADD COLUMN "last_error_kind" text;
