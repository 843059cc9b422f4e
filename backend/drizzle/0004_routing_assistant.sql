CREATE TABLE "assistant_counts" (
	"org_id" uuid NOT NULL,
	"feature" text NOT NULL,
	"target" text NOT NULL,
	"count" double precision NOT NULL,
	CONSTRAINT "assistant_counts_org_id_feature_target_pk" PRIMARY KEY("org_id","feature","target")
);
--> statement-breakpoint
CREATE TABLE "rule_versions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"change" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"changed_by" text NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "folder_path" text;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "text_enc" "bytea";--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "text_status" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "routing_settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "rules" ADD COLUMN "action_kind" text DEFAULT 'destinations' NOT NULL;--> statement-breakpoint
ALTER TABLE "rules" ADD COLUMN "folder_template" text;--> statement-breakpoint
ALTER TABLE "rules" ADD COLUMN "continue_matching" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "rules" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "rules" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "rules" ADD COLUMN "updated_by" text DEFAULT 'system' NOT NULL;--> statement-breakpoint
ALTER TABLE "rules" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "assistant_counts" ADD CONSTRAINT "assistant_counts_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_versions" ADD CONSTRAINT "rule_versions_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_versions" ADD CONSTRAINT "rule_versions_rule_id_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."rules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rule_versions_rule_idx" ON "rule_versions" USING btree ("rule_id","version");