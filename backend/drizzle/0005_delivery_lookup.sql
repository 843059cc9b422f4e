ALTER TABLE "deliveries" ADD COLUMN "internet_message_id" text;--> statement-breakpoint
CREATE INDEX "deliveries_graph_message_idx" ON "deliveries" USING btree ("graph_message_id");--> statement-breakpoint
CREATE INDEX "deliveries_internet_message_idx" ON "deliveries" USING btree ("internet_message_id");