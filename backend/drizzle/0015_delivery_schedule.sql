ALTER TABLE "deliveries" ADD COLUMN "due_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "last_failed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "deliveries_due_idx" ON "deliveries" USING btree ("due_at") WHERE status = 'pending';--> statement-breakpoint
-- Deliveries moved from one agenda job each to delivery/delivery-scheduler.ts: pending ones are due
-- now (the column's default) and their old jobs go.
DELETE FROM "agenda_jobs" WHERE "name" = 'deliver';
