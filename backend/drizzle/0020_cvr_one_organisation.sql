-- A CVR number belongs to at most one organisation of the installation (its rows not removed): the
-- organisation that holds it receives its Digital Post pushes and letters (store/organisation.ts addCvr,
-- ingest/ngdp/push-store.ts). Before, each organisation could add any CVR number, also another's.
-- An installation where several organisations hold the same CVR number cannot be migrated by guessing
-- whose it is: the migration stops, naming the numbers, and the operator removes the wrong rows
-- (docs/DEPLOYMENT.md 3.2, "Upgrading to one organisation per CVR number").
DO $check$
DECLARE shared text;
BEGIN
  SELECT string_agg(cvr, ', ' ORDER BY cvr) INTO shared FROM (
    SELECT cvr FROM cvr_numbers WHERE removed_at IS NULL GROUP BY cvr HAVING count(*) > 1
  ) d;
  IF shared IS NOT NULL THEN
    RAISE EXCEPTION 'CVR numbers held by more than one organisation: %. A CVR number may belong to one organisation only. See which with: SELECT cvr, org_id, name FROM cvr_numbers WHERE removed_at IS NULL AND cvr IN (...); then remove it from the organisation it does not belong to: UPDATE cvr_numbers SET removed_at = now() WHERE org_id = ... AND cvr = ...; UPDATE mailboxes SET removed_at = now() WHERE org_id = ... AND cvr = ... AND removed_at IS NULL; and start Brevdue again (docs/DEPLOYMENT.md).', shared;
  END IF;
END
$check$;
--> statement-breakpoint
CREATE UNIQUE INDEX "cvr_numbers_cvr_active_uq" ON "cvr_numbers" USING btree ("cvr") WHERE removed_at IS NULL;
