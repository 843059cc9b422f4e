CREATE TABLE "route_queue" (
	"message_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"failed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "route_queue" ADD CONSTRAINT "route_queue_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "route_queue_due_idx" ON "route_queue" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "route_queue_org_failed_idx" ON "route_queue" USING btree ("org_id","failed_at");--> statement-breakpoint
-- Routing moved from one agenda job per letter to routing/route-scheduler.ts: letters still waiting
-- are queued, and their old jobs go.
INSERT INTO "route_queue" ("message_id", "org_id", "due_at") SELECT "id", "org_id", "received_at" FROM "messages" WHERE "status" = 'received' ON CONFLICT DO NOTHING;--> statement-breakpoint
DELETE FROM "agenda_jobs" WHERE "name" = 'route-letter';
