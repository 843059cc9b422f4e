ALTER TABLE "destinations" ALTER COLUMN "mailbox" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "destinations" ALTER COLUMN "folder_path" SET DEFAULT '';--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "requested_by" text DEFAULT 'system' NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "replaces_delivery_id" uuid;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "progress" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "uncertain" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "dead_notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "destinations" ADD COLUMN "team_id" text;--> statement-breakpoint
ALTER TABLE "destinations" ADD COLUMN "channel_id" text;--> statement-breakpoint
ALTER TABLE "destinations" ADD COLUMN "webhook_url_enc" "bytea";--> statement-breakpoint
ALTER TABLE "destinations" ADD COLUMN "check_problems" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "destinations" ADD COLUMN "checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "destinations" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "destinations" ADD COLUMN "created_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "destinations" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "delivery_settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
UPDATE "destinations" SET "kind" = 'shared_mailbox' WHERE "kind" = 'mailbox';
