CREATE INDEX "deliveries_destination_message_idx" ON "deliveries" USING btree ("destination_id","message_id");--> statement-breakpoint
CREATE INDEX "messages_org_sender_name_idx" ON "messages" USING btree ("org_id","sender_name","received_at");--> statement-breakpoint
CREATE INDEX "messages_org_label_idx" ON "messages" USING btree ("org_id","label","received_at");