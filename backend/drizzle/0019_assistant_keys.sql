-- The assistant's feature key per organisation (32 random bytes, sealed): assistant_counts.feature holds
-- keyed hashes under it, never a letter's words (triage/assistant-store.ts). Clear rows stored before are
-- converted by the application when it first reads an organisation's model (SQL cannot make the hash).
CREATE TABLE "assistant_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"key_enc" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assistant_keys_org_id_unique" UNIQUE("org_id")
);
--> statement-breakpoint
ALTER TABLE "assistant_keys" ADD CONSTRAINT "assistant_keys_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Timeline sentences of the assistant that named a word of a letter's (sealed) document text, as
-- earlier versions wrote them, say "the same word" instead, as they are written now
-- (assistant/explain.ts explanationAtRest). Idempotent.
UPDATE events SET
  text = regexp_replace(regexp_replace(text,
    'Breve, hvis dokumenter nævner »[^«]*«,', 'Breve med samme ord i dokumenterne', 'g'),
    'Letters whose documents mention ‘[^’]*’', 'Letters with the same word in their documents', 'g'),
  data = regexp_replace(regexp_replace(data::text,
    'Breve, hvis dokumenter nævner »[^«]*«,', 'Breve med samme ord i dokumenterne', 'g'),
    'Letters whose documents mention ‘[^’]*’', 'Letters with the same word in their documents', 'g')::jsonb
WHERE type IN ('suggested', 'auto_placed')
  AND (text ~ '(Breve, hvis dokumenter nævner »|Letters whose documents mention ‘)' OR data::text ~ '(Breve, hvis dokumenter nævner »|Letters whose documents mention ‘)');
