-- Room on each page for updated row versions, so PostgreSQL can update in place (HOT: no new index
-- entries) the rows that are updated over and over without changing an indexed column: the assistant's
-- counts (every flush adds to thousands), a letter's statistics row (every status change), a delivery's
-- claim (attempts, lease), the route queue's leases, a mailbox's poll lease. Pages written from now on
-- keep the room; existing ones get it when rewritten. docs/PERFORMANCE.md (session 9) has the effect.
ALTER TABLE assistant_counts SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE stats_letters SET (fillfactor = 80);--> statement-breakpoint
ALTER TABLE deliveries SET (fillfactor = 80);--> statement-breakpoint
ALTER TABLE route_queue SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE mailboxes SET (fillfactor = 50);
