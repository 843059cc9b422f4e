CREATE TABLE "replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"memo_uuid" uuid NOT NULL,
	"memo_enc" "bytea" NOT NULL,
	"status" text DEFAULT 'sending' NOT NULL,
	"transmission_id" text,
	"error" text,
	"attachments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "replies_memo_uuid_unique" UNIQUE("memo_uuid")
);
--> statement-breakpoint
CREATE TABLE "service_notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid,
	"severity" text DEFAULT 'info' NOT NULL,
	"text_da" text NOT NULL,
	"text_en" text NOT NULL,
	"show_from" timestamp with time zone NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('danish'::regconfig, search_text)) STORED;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_notices" ADD CONSTRAINT "service_notices_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "replies_message_idx" ON "replies" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "service_notices_org_ends_idx" ON "service_notices" USING btree ("org_id","ends_at");--> statement-breakpoint
CREATE INDEX "messages_search_idx" ON "messages" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "messages_org_status_received_idx" ON "messages" USING btree ("org_id","status","received_at");--> statement-breakpoint
CREATE INDEX "messages_org_sender_idx" ON "messages" USING btree ("org_id","sender_id");