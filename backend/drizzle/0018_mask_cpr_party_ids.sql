-- Persons' CPR numbers as a letter's Sender or Recipient (idType CPR) were stored in clear: in
-- messages.sender_id and recipient_id, in sender_name when the sender had no name, in routing_facts
-- and search_text when maskCpr did not see a date in them, and through the statistics' triggers in
-- stats_letters, stats_deltas and stats_counts. Masked as store/letters.ts now stores them
-- (shared/src/identifiers.ts maskPartyId): DDMMYY-XXXX, XXXXXX-XXXX when the id is not 10 digits.
-- Reply attachment names (replies.attachments) with a CPR-shaped number masked likewise. Idempotent.
UPDATE messages SET
  sender_name = CASE WHEN sender_name = sender_id THEN
    CASE WHEN length(regexp_replace(sender_id, '[^0-9]', '', 'g')) = 10 THEN substr(regexp_replace(sender_id, '[^0-9]', '', 'g'), 1, 6) || '-XXXX' ELSE 'XXXXXX-XXXX' END
    ELSE sender_name END,
  search_text = replace(search_text, lower(sender_id),
    CASE WHEN length(regexp_replace(sender_id, '[^0-9]', '', 'g')) = 10 THEN substr(regexp_replace(sender_id, '[^0-9]', '', 'g'), 1, 6) || '-xxxx' ELSE 'xxxxxx-xxxx' END),
  routing_facts = routing_facts
    || jsonb_build_object('senderId',
      CASE WHEN length(regexp_replace(sender_id, '[^0-9]', '', 'g')) = 10 THEN substr(regexp_replace(sender_id, '[^0-9]', '', 'g'), 1, 6) || '-XXXX' ELSE 'XXXXXX-XXXX' END)
    || CASE WHEN routing_facts->>'senderName' = sender_id THEN jsonb_build_object('senderName',
      CASE WHEN length(regexp_replace(sender_id, '[^0-9]', '', 'g')) = 10 THEN substr(regexp_replace(sender_id, '[^0-9]', '', 'g'), 1, 6) || '-XXXX' ELSE 'XXXXXX-XXXX' END)
      ELSE '{}'::jsonb END,
  sender_id = CASE WHEN length(regexp_replace(sender_id, '[^0-9]', '', 'g')) = 10 THEN substr(regexp_replace(sender_id, '[^0-9]', '', 'g'), 1, 6) || '-XXXX' ELSE 'XXXXXX-XXXX' END
WHERE upper(sender_id_type) = 'CPR' AND sender_id !~ '^([0-9]{6}|X{6})-XXXX$';
--> statement-breakpoint
UPDATE messages SET
  search_text = replace(search_text, lower(recipient_id),
    CASE WHEN length(regexp_replace(recipient_id, '[^0-9]', '', 'g')) = 10 THEN substr(regexp_replace(recipient_id, '[^0-9]', '', 'g'), 1, 6) || '-xxxx' ELSE 'xxxxxx-xxxx' END),
  recipient_id = CASE WHEN length(regexp_replace(recipient_id, '[^0-9]', '', 'g')) = 10 THEN substr(regexp_replace(recipient_id, '[^0-9]', '', 'g'), 1, 6) || '-XXXX' ELSE 'XXXXXX-XXXX' END
WHERE upper(recipient_id_type) = 'CPR' AND recipient_id !~ '^([0-9]{6}|X{6})-XXXX$';
--> statement-breakpoint
UPDATE replies SET attachments = (
  SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(a->'filename') = 'string'
    THEN jsonb_set(a, '{filename}', to_jsonb(regexp_replace(a->>'filename', '(^|[^0-9])([0-9]{6})[-‐‑–]?[0-9]{4}(?![0-9])', '\1\2-XXXX', 'g')))
    ELSE a END ORDER BY i), '[]'::jsonb)
  FROM jsonb_array_elements(attachments) WITH ORDINALITY AS t(a, i))
WHERE jsonb_typeof(attachments) = 'array' AND attachments::text ~ '[0-9]{6}[-‐‑–]?[0-9]{4}';
--> statement-breakpoint
-- The statistics held the clear ids too (counted rows and pending deltas): counted again from the
-- letters, now masked, when there is a letter from or to a person at all.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM messages WHERE upper(sender_id_type) = 'CPR' OR upper(recipient_id_type) = 'CPR') THEN
    PERFORM brevdue_stats_rebuild();
  END IF;
END
$$;
