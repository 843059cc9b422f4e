CREATE TABLE "stats_counts" (
	"org_id" uuid NOT NULL,
	"dim" text NOT NULL,
	"grain" text NOT NULL,
	"start" date NOT NULL,
	"cvr" text NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"status" text NOT NULL,
	"automatic" boolean NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "stats_counts_pk" PRIMARY KEY("org_id","dim","grain","start","cvr","key","label","status","automatic")
);
--> statement-breakpoint
CREATE TABLE "stats_deltas" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"cvr" text NOT NULL,
	"provider" text NOT NULL,
	"sender_id" text NOT NULL,
	"sender_name" text NOT NULL,
	"destination_id" uuid,
	"status" text NOT NULL,
	"automatic" boolean NOT NULL,
	"n" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stats_letters" (
	"message_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"day" date NOT NULL,
	"cvr" text NOT NULL,
	"provider" text NOT NULL,
	"sender_id" text NOT NULL,
	"sender_name" text NOT NULL,
	"status" text NOT NULL,
	"automatic" boolean NOT NULL,
	"destination_ids" uuid[] NOT NULL
);
--> statement-breakpoint
CREATE INDEX "stats_counts_zero_idx" ON "stats_counts" USING btree ("org_id") WHERE n = 0;--> statement-breakpoint
CREATE INDEX "stats_deltas_org_day_idx" ON "stats_deltas" USING btree ("org_id","day");--> statement-breakpoint
CREATE INDEX "stats_letters_org_day_idx" ON "stats_letters" USING btree ("org_id","day");--> statement-breakpoint
-- Hand-written below: the statistics rollup is kept by triggers, so every writer (ingest, routing,
-- delivery, triage, retention, a person in psql) keeps it exact without knowing of it. See stats/rollup.ts.
-- brevdue_stats_recount(letter): what the letter counts as now, against what it counted as (stats_letters);
-- the difference goes to stats_deltas as -1/+1 rows. Recounting from scratch (rather than reasoning about
-- the one row that changed) stays exact when one statement inserts several deliveries or events of a letter.
-- The row lock on stats_letters serialises two transactions recounting the same letter.
CREATE FUNCTION brevdue_stats_recount(mid uuid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  old_s stats_letters;
  new_s stats_letters;
  had boolean;
  present boolean;
BEGIN
  SELECT * INTO old_s FROM stats_letters WHERE message_id = mid FOR UPDATE;
  had := FOUND;
  -- The counted columns only: a whole messages row would bring the sealed original (megabytes) along.
  SELECT mid, m.org_id, (m.received_at AT TIME ZONE 'Europe/Copenhagen')::date, m.cvr, m.provider, m.sender_id, m.sender_name, m.status
    INTO new_s.message_id, new_s.org_id, new_s.day, new_s.cvr, new_s.provider, new_s.sender_id, new_s.sender_name, new_s.status
    FROM messages m WHERE m.id = mid;
  present := FOUND;
  IF NOT had AND NOT present THEN RETURN; END IF;
  IF present THEN
    -- Only a delivered letter can be automatic: the lookups are skipped for the others.
    new_s.automatic := false;
    IF new_s.status = 'delivered' THEN
      new_s.automatic := EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = mid AND d.reason = 'initial')
        OR EXISTS (SELECT 1 FROM events e WHERE e.message_id = mid AND e.type = 'auto_placed');
    END IF;
    new_s.destination_ids := ARRAY(SELECT DISTINCT d.destination_id FROM deliveries d WHERE d.message_id = mid ORDER BY 1);
    IF had AND old_s IS NOT DISTINCT FROM new_s THEN RETURN; END IF;
  END IF;
  -- One row for the letter (destination_id null) and one per destination; only rows that changed.
  WITH o AS (
    SELECT old_s.org_id AS org_id, old_s.day AS day, old_s.cvr AS cvr, old_s.provider AS provider, old_s.sender_id AS sender_id,
      old_s.sender_name AS sender_name, d AS destination_id, old_s.status AS status, old_s.automatic AS automatic
    FROM unnest(array_prepend(NULL::uuid, old_s.destination_ids)) AS d WHERE had
  ), nw AS (
    SELECT new_s.org_id, new_s.day, new_s.cvr, new_s.provider, new_s.sender_id, new_s.sender_name, d, new_s.status, new_s.automatic
    FROM unnest(array_prepend(NULL::uuid, new_s.destination_ids)) AS d WHERE present
  )
  INSERT INTO stats_deltas (org_id, day, cvr, provider, sender_id, sender_name, destination_id, status, automatic, n)
  SELECT x.*, -1 FROM (SELECT * FROM o EXCEPT ALL SELECT * FROM nw) x
  UNION ALL
  SELECT y.*, 1 FROM (SELECT * FROM nw EXCEPT ALL SELECT * FROM o) y;
  IF present THEN
    INSERT INTO stats_letters SELECT (new_s).*
    ON CONFLICT (message_id) DO UPDATE SET org_id = excluded.org_id, day = excluded.day, cvr = excluded.cvr,
      provider = excluded.provider, sender_id = excluded.sender_id, sender_name = excluded.sender_name,
      status = excluded.status, automatic = excluded.automatic, destination_ids = excluded.destination_ids;
  ELSE
    DELETE FROM stats_letters WHERE message_id = mid;
  END IF;
END
$fn$;
--> statement-breakpoint
CREATE FUNCTION brevdue_stats_on_message() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE day date;
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- A new letter has no deliveries or events yet (they reference it): counted straight from NEW,
    -- the common case at ingest, without the recount's lookups.
    day := (NEW.received_at AT TIME ZONE 'Europe/Copenhagen')::date;
    INSERT INTO stats_letters (message_id, org_id, day, cvr, provider, sender_id, sender_name, status, automatic, destination_ids)
      VALUES (NEW.id, NEW.org_id, day, NEW.cvr, NEW.provider, NEW.sender_id, NEW.sender_name, NEW.status, false, '{}');
    INSERT INTO stats_deltas (org_id, day, cvr, provider, sender_id, sender_name, destination_id, status, automatic, n)
      VALUES (NEW.org_id, day, NEW.cvr, NEW.provider, NEW.sender_id, NEW.sender_name, NULL, NEW.status, false, 1);
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM brevdue_stats_recount(NEW.id); END IF;
  IF TG_OP = 'DELETE' OR OLD.id <> NEW.id THEN PERFORM brevdue_stats_recount(OLD.id); END IF;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER stats_on_message_insert_delete AFTER INSERT OR DELETE ON messages
  FOR EACH ROW EXECUTE FUNCTION brevdue_stats_on_message();
--> statement-breakpoint
-- Only changes of what is counted: legal holds, purges and search text cost nothing here.
CREATE TRIGGER stats_on_message_update AFTER UPDATE ON messages FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.received_at IS DISTINCT FROM NEW.received_at
    OR OLD.cvr IS DISTINCT FROM NEW.cvr OR OLD.provider IS DISTINCT FROM NEW.provider OR OLD.sender_id IS DISTINCT FROM NEW.sender_id
    OR OLD.sender_name IS DISTINCT FROM NEW.sender_name OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION brevdue_stats_on_message();
--> statement-breakpoint
-- Deliveries and auto_placed events decide a letter's destinations and whether it was automatic.
CREATE FUNCTION brevdue_stats_on_dependent() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP <> 'DELETE' THEN PERFORM brevdue_stats_recount(NEW.message_id); END IF;
  IF TG_OP = 'DELETE' OR OLD.message_id <> NEW.message_id THEN PERFORM brevdue_stats_recount(OLD.message_id); END IF;
  RETURN NULL;
END
$fn$;
--> statement-breakpoint
CREATE TRIGGER stats_on_delivery_insert_delete AFTER INSERT OR DELETE ON deliveries
  FOR EACH ROW EXECUTE FUNCTION brevdue_stats_on_dependent();
--> statement-breakpoint
CREATE TRIGGER stats_on_delivery_update AFTER UPDATE ON deliveries FOR EACH ROW
  WHEN (OLD.message_id IS DISTINCT FROM NEW.message_id OR OLD.destination_id IS DISTINCT FROM NEW.destination_id OR OLD.reason IS DISTINCT FROM NEW.reason)
  EXECUTE FUNCTION brevdue_stats_on_dependent();
--> statement-breakpoint
CREATE TRIGGER stats_on_event_insert AFTER INSERT ON events FOR EACH ROW
  WHEN (NEW.type = 'auto_placed') EXECUTE FUNCTION brevdue_stats_on_dependent();
--> statement-breakpoint
CREATE TRIGGER stats_on_event_delete AFTER DELETE ON events FOR EACH ROW
  WHEN (OLD.type = 'auto_placed') EXECUTE FUNCTION brevdue_stats_on_dependent();
--> statement-breakpoint
CREATE TRIGGER stats_on_event_update AFTER UPDATE ON events FOR EACH ROW
  WHEN ((OLD.type = 'auto_placed' OR NEW.type = 'auto_placed') AND (OLD.type IS DISTINCT FROM NEW.type OR OLD.message_id IS DISTINCT FROM NEW.message_id))
  EXECUTE FUNCTION brevdue_stats_on_dependent();
--> statement-breakpoint
-- Folds up to max_rows deltas (null: all) into stats_counts, as days and as months, and returns how many
-- it folded. One folder at a time across processes (an advisory lock); reports read both tables in one
-- statement, so a fold in between changes nothing they see.
CREATE FUNCTION brevdue_stats_compact(max_rows integer) RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE folded integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(1651663460, 1) THEN RETURN 0; END IF;
  WITH d AS (
    DELETE FROM stats_deltas WHERE id IN (SELECT id FROM stats_deltas ORDER BY id LIMIT max_rows) RETURNING *
  ), g AS (
    SELECT d.*, 'd'::text AS grain, d.day AS start FROM d
    UNION ALL
    SELECT d.*, 'm'::text, date_trunc('month', d.day::timestamp)::date FROM d
  ), x AS (
    SELECT org_id, 'channel'::text AS dim, grain, start, cvr, provider AS key, ''::text AS label, status, automatic, n FROM g WHERE destination_id IS NULL
    UNION ALL
    SELECT org_id, 'sender', grain, start, cvr, sender_id, sender_name, status, automatic, n FROM g WHERE destination_id IS NULL
    UNION ALL
    SELECT org_id, 'destination', grain, start, cvr, destination_id::text, '', status, automatic, n FROM g WHERE destination_id IS NOT NULL
  ), up AS (
    INSERT INTO stats_counts AS c (org_id, dim, grain, start, cvr, key, label, status, automatic, n)
    SELECT org_id, dim, grain, start, cvr, key, label, status, automatic, sum(n)::int FROM x
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    ON CONFLICT ON CONSTRAINT stats_counts_pk DO UPDATE SET n = c.n + excluded.n
    RETURNING 1
  )
  -- up runs to completion though nothing reads it (PostgreSQL runs every data-modifying WITH once).
  SELECT count(*)::int INTO folded FROM d;
  DELETE FROM stats_counts WHERE n = 0;
  RETURN folded;
END
$fn$;
--> statement-breakpoint
-- Counts every letter again from messages, deliveries and events (this migration on existing data;
-- `brevdue stats rebuild` if the rollup is ever doubted). Writers wait while it runs, then count on
-- top of it.
CREATE FUNCTION brevdue_stats_rebuild() RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE letters integer;
BEGIN
  LOCK TABLE stats_letters IN EXCLUSIVE MODE;
  DELETE FROM stats_counts;
  DELETE FROM stats_deltas;
  DELETE FROM stats_letters;
  INSERT INTO stats_letters (message_id, org_id, day, cvr, provider, sender_id, sender_name, status, automatic, destination_ids)
  SELECT m.id, m.org_id, (m.received_at AT TIME ZONE 'Europe/Copenhagen')::date, m.cvr, m.provider, m.sender_id, m.sender_name, m.status,
    m.status = 'delivered' AND (
      EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.reason = 'initial')
      OR EXISTS (SELECT 1 FROM events e WHERE e.message_id = m.id AND e.type = 'auto_placed')),
    ARRAY(SELECT DISTINCT d.destination_id FROM deliveries d WHERE d.message_id = m.id ORDER BY 1)
  FROM messages m;
  GET DIAGNOSTICS letters = ROW_COUNT;
  INSERT INTO stats_deltas (org_id, day, cvr, provider, sender_id, sender_name, destination_id, status, automatic, n)
  SELECT s.org_id, s.day, s.cvr, s.provider, s.sender_id, s.sender_name, d, s.status, s.automatic, 1
  FROM stats_letters s CROSS JOIN LATERAL unnest(array_prepend(NULL::uuid, s.destination_ids)) AS d;
  PERFORM brevdue_stats_compact(NULL);
  RETURN letters;
END
$fn$;
--> statement-breakpoint
SELECT brevdue_stats_rebuild();
