ALTER TABLE "organisations" ADD COLUMN "routing_version" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Every change of what routing reads besides the letter (rules, CVR numbers and their names, the
-- registry of destinations) bumps the organisation's routing_version in the same transaction, so
-- routing caches its compiled rules and registry per organisation and checks one number per letter
-- (routing/apply.ts) instead of fingerprinting the rule set and reading the registry every time.
CREATE OR REPLACE FUNCTION brevdue_bump_routing_version() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE organisations SET routing_version = routing_version + 1 WHERE id = OLD.org_id;
  ELSE
    UPDATE organisations SET routing_version = routing_version + 1 WHERE id = NEW.org_id;
    IF TG_OP = 'UPDATE' AND OLD.org_id IS DISTINCT FROM NEW.org_id THEN
      UPDATE organisations SET routing_version = routing_version + 1 WHERE id = OLD.org_id;
    END IF;
  END IF;
  RETURN NULL;
END
$fn$;--> statement-breakpoint
CREATE TRIGGER routing_version_on_rules AFTER INSERT OR UPDATE OR DELETE ON rules
  FOR EACH ROW EXECUTE FUNCTION brevdue_bump_routing_version();--> statement-breakpoint
CREATE TRIGGER routing_version_on_cvr_numbers AFTER INSERT OR UPDATE OR DELETE ON cvr_numbers
  FOR EACH ROW EXECUTE FUNCTION brevdue_bump_routing_version();--> statement-breakpoint
CREATE TRIGGER routing_version_on_destinations AFTER INSERT OR UPDATE OR DELETE ON destinations
  FOR EACH ROW EXECUTE FUNCTION brevdue_bump_routing_version();
