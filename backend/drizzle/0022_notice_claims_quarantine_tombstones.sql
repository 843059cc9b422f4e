-- Dead-letter notices are claimed before they are sent (deliveries.dead_notice_until: a lease, and after
-- a failure or a notice sender the operator's allow-list refuses, when to try again; delivery/notify.ts).
-- A quarantine row retention deletes leaves a content-free tombstone (mailbox, provider id, dates, a fixed
-- reason): a letter whose INVALID receipt never reached the provider is still waiting there, and polls
-- must keep passing it by (or owe only its receipt) rather than fetch it again (retention/purge.ts,
-- ingest/letter-failures.ts).
CREATE TABLE "quarantine_tombstones" (
	"mailbox_id" uuid NOT NULL,
	"provider_message_id" text NOT NULL,
	"org_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quarantine_tombstones_mailbox_id_provider_message_id_pk" PRIMARY KEY("mailbox_id","provider_message_id")
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "dead_notice_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "quarantine_tombstones" ADD CONSTRAINT "quarantine_tombstones_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quarantine_tombstones" ADD CONSTRAINT "quarantine_tombstones_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;