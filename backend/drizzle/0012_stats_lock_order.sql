-- brevdue_stats_recount (0010) took the stats_letters row lock before reading the letter, while an UPDATE
-- of messages holds the letter's row before its trigger takes the stats_letters row: two writers of one
-- letter could deadlock (seen in the racing-writers test on PostgreSQL 15). Same function, locks in one order.
CREATE OR REPLACE FUNCTION brevdue_stats_recount(mid uuid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  old_s stats_letters;
  new_s stats_letters;
  had boolean;
  present boolean;
BEGIN
  -- The letter's row is locked before its count: every recount takes the two locks in the order an
  -- UPDATE of messages does (messages row, then stats_letters row), so a transaction that inserts a
  -- delivery and then updates the letter cannot deadlock with a plain update of the letter.
  -- The counted columns only: a whole messages row would bring the sealed original (megabytes) along.
  SELECT mid, m.org_id, (m.received_at AT TIME ZONE 'Europe/Copenhagen')::date, m.cvr, m.provider, m.sender_id, m.sender_name, m.status
    INTO new_s.message_id, new_s.org_id, new_s.day, new_s.cvr, new_s.provider, new_s.sender_id, new_s.sender_name, new_s.status
    FROM messages m WHERE m.id = mid FOR NO KEY UPDATE;
  present := FOUND;
  SELECT * INTO old_s FROM stats_letters WHERE message_id = mid FOR UPDATE;
  had := FOUND;
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
