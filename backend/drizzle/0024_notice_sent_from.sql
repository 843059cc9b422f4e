-- The sender an admins' notice attempt used, so an uncertain attempt's copy is looked for where it was sent
-- (delivery/quarantine-notice.ts, delivery/notify.ts), and the dead-letter notice's id for that lookup.
ALTER TABLE "deliveries" ADD COLUMN "dead_notice_id" uuid;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "dead_notice_sent_from" text;--> statement-breakpoint
ALTER TABLE "quarantine_notices" ADD COLUMN "sent_from" text;
