ALTER TABLE "mailboxes" ADD COLUMN "next_poll_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "polling_until" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "mailboxes_next_poll_idx" ON "mailboxes" USING btree ("next_poll_at") WHERE removed_at IS NULL AND paused = false;--> statement-breakpoint
-- Polling moved from one agenda job per mailbox to ingest/poll-scheduler.ts: the old jobs go.
DELETE FROM "agenda_jobs" WHERE "name" IN ('poll-mailbox', 'poll-mailbox-backlog');
