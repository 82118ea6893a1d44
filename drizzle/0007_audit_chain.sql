CREATE TABLE "audit_chain_head" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"last_seq" bigint NOT NULL,
	"last_hash" text NOT NULL,
	CONSTRAINT "audit_chain_head_single_ck" CHECK ("audit_chain_head"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_roles_ck";--> statement-breakpoint
DROP INDEX "audit_log_actor_idx";--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "workflow_id" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "before" jsonb;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "after" jsonb;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "request_id" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "client_ip" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "user_agent" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "prev_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Hand-written from here to the indexes: the hash function, the backfill of the records that
-- existed before the chain, and the triggers (drizzle-kit does not model functions or triggers).
--
-- The canonical content of a record: a JSON array of the previous hash and the record's fields,
-- rendered by jsonb (keys sorted, fixed spacing), the time in UTC with microseconds. Positional
-- parameters because `before`, `after` and `at` read as keywords in some places.
CREATE FUNCTION "weft_audit_hash"(text, bigint, timestamptz, text, text, text, text, text, jsonb, jsonb, jsonb, text, text, text)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT encode(sha256(convert_to(jsonb_build_array(
    $1, $2, to_char($3 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14
  )::text, 'UTF8')), 'hex')
$$;--> statement-breakpoint
UPDATE "audit_log" SET "workflow_id" = "resource_id" WHERE "resource_type" = 'workflow';--> statement-breakpoint
UPDATE "audit_log" a SET "workflow_id" = e."definition_id" FROM "executions" e WHERE a."resource_type" = 'execution' AND a."resource_id" = e."id";--> statement-breakpoint
-- Records written before the chain join it in the order they were written, from the genesis hash.
DO $$
DECLARE
  r record;
  prev text := repeat('0', 64);
  n bigint := 0;
BEGIN
  FOR r IN SELECT "id" FROM "audit_log" ORDER BY "id" LOOP
    n := n + 1;
    UPDATE "audit_log" SET "seq" = n, "prev_hash" = prev,
      "hash" = weft_audit_hash(prev, n, "at", "actor", "action", "resource_type", "resource_id", "workflow_id",
        "details", "before", "after", "request_id", "client_ip", "user_agent")
    WHERE "id" = r."id" RETURNING "hash" INTO prev;
  END LOOP;
  INSERT INTO "audit_chain_head" ("id", "last_seq", "last_hash") VALUES (1, n, prev);
END
$$;--> statement-breakpoint
-- Every insert joins the chain: the head's row lock (held to the end of the transaction) puts
-- concurrent appends, from any process, one after the other.
CREATE FUNCTION "weft_audit_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
BEGIN
  SELECT "last_seq", "last_hash" INTO head_seq, head_hash FROM "audit_chain_head" WHERE "id" = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_chain_head has no row: the audit chain cannot be extended';
  END IF;
  NEW."seq" := head_seq + 1;
  NEW."prev_hash" := head_hash;
  NEW."hash" := weft_audit_hash(NEW."prev_hash", NEW."seq", NEW."at", NEW."actor", NEW."action", NEW."resource_type",
    NEW."resource_id", NEW."workflow_id", NEW."details", NEW."before", NEW."after", NEW."request_id", NEW."client_ip", NEW."user_agent");
  UPDATE "audit_chain_head" SET "last_seq" = NEW."seq", "last_hash" = NEW."hash" WHERE "id" = 1;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_chain" BEFORE INSERT ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "weft_audit_chain"();--> statement-breakpoint
-- The trail is append-only: edits and deletions are refused (an owner who disables this trigger
-- still breaks the chain, which GET /api/v1/audit/verify reports).
CREATE FUNCTION "weft_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "weft_audit_append_only"();--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION "weft_audit_append_only"();--> statement-breakpoint
-- Only the chain trigger (one trigger level down) moves the head.
CREATE FUNCTION "weft_audit_head_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' OR pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'audit_chain_head is moved only by appending to audit_log: % refused', TG_OP;
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_chain_head_guard" BEFORE UPDATE OR DELETE ON "audit_chain_head" FOR EACH ROW EXECUTE FUNCTION "weft_audit_head_guard"();--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_seq_idx" ON "audit_log" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "audit_log_workflow_idx" ON "audit_log" USING btree ("workflow_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_action_idx" ON "audit_log" USING btree ("action","at");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor","at");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_roles_ck" CHECK ("users"."roles" <@ array['admin', 'manager', 'technical_lead', 'operator', 'approver', 'viewer', 'auditor']::text[]);
