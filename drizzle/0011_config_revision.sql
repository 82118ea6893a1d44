CREATE TABLE "config_revision" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"revision" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "config_revision_single_ck" CHECK ("config_revision"."id" = 1)
);
--> statement-breakpoint
-- Hand-written from here: the one row, and the triggers that move it with every change.
INSERT INTO "config_revision" ("id", "revision") VALUES (1, 0);--> statement-breakpoint
CREATE FUNCTION "weft_bump_config_revision"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "config_revision" SET "revision" = "revision" + 1 WHERE "id" = 1;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "sites_config_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sites" FOR EACH STATEMENT EXECUTE FUNCTION "weft_bump_config_revision"();--> statement-breakpoint
CREATE TRIGGER "config_parameters_config_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "config_parameters" FOR EACH STATEMENT EXECUTE FUNCTION "weft_bump_config_revision"();--> statement-breakpoint
CREATE TRIGGER "config_values_config_revision" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "config_values" FOR EACH STATEMENT EXECUTE FUNCTION "weft_bump_config_revision"();
