-- Quarantined letters: admins are mailed when letters enter quarantine (quarantine_notices, one mail per
-- organisation at a time, delivery/quarantine-notice.ts; quarantine.notice_id names the notice); data
-- subject requests find them through keyed hashes of the CPR numbers in their sealed bytes
-- (quarantine.cpr_hashes, dsr/cpr-index.ts) and erase them (quarantine.erased_at); retention deletes
-- one nobody acted on quarantine_keep_days after the retention period (retention/purge.ts).
-- Rows quarantined before this migration have no notice and no index yet: the quarantine-notices job
-- mails the admins about them once and indexes them.
CREATE TABLE "quarantine_notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"uncertain" boolean DEFAULT false NOT NULL,
	"last_error" text,
	"letters" integer,
	"sent_to" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "quarantine_keep_days" integer DEFAULT 90 NOT NULL;--> statement-breakpoint
ALTER TABLE "quarantine" ADD COLUMN "notice_id" uuid;--> statement-breakpoint
ALTER TABLE "quarantine" ADD COLUMN "cpr_hashes" text[];--> statement-breakpoint
ALTER TABLE "quarantine" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quarantine_notices" ADD CONSTRAINT "quarantine_notices_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "quarantine_notices_org_created_idx" ON "quarantine_notices" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "quarantine_notices_pending_idx" ON "quarantine_notices" USING btree ("due_at") WHERE status = 'pending';--> statement-breakpoint
ALTER TABLE "quarantine" ADD CONSTRAINT "quarantine_notice_id_quarantine_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."quarantine_notices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "quarantine_unnoticed_idx" ON "quarantine" USING btree ("org_id") WHERE notice_id IS NULL AND erased_at IS NULL;--> statement-breakpoint
CREATE INDEX "quarantine_unindexed_idx" ON "quarantine" USING btree ("org_id") WHERE cpr_hashes IS NULL AND erased_at IS NULL;--> statement-breakpoint
CREATE INDEX "quarantine_cpr_hashes_idx" ON "quarantine" USING gin ("cpr_hashes");