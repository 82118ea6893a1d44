CREATE TABLE "version_transitions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "version_transitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"definition_id" text NOT NULL,
	"version" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"approval_request_id" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "version_transitions_to_ck" CHECK ("version_transitions"."to_status" in ('draft', 'published', 'active', 'deprecated', 'archived'))
);
--> statement-breakpoint
ALTER TABLE "workflow_versions" ADD COLUMN "tags" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "workflow_versions" ADD COLUMN "parent_version" text;--> statement-breakpoint
ALTER TABLE "workflow_versions" ADD COLUMN "activated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workflow_versions" ADD COLUMN "deprecated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workflow_versions" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "version_transitions" ADD CONSTRAINT "version_transitions_definition_id_workflow_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."workflow_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "version_transitions_definition_idx" ON "version_transitions" USING btree ("definition_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "version_transitions_approval_uq" ON "version_transitions" USING btree ("approval_request_id") WHERE "version_transitions"."approval_request_id" is not null;--> statement-breakpoint
-- Hand-written from here: versions that existed before the lifecycle get what can be known of it.
-- An active version was activated when it was published (publishing used to activate).
UPDATE "workflow_versions" SET "activated_at" = "published_at" WHERE "status" = 'active';--> statement-breakpoint
INSERT INTO "version_transitions" ("definition_id", "version", "from_status", "to_status", "actor", "reason", "at")
SELECT "definition_id", "version", NULL, 'draft', coalesce("created_by", 'system'), 'recorded before version transitions existed', "created_at"
FROM "workflow_versions" ORDER BY "created_at";--> statement-breakpoint
INSERT INTO "version_transitions" ("definition_id", "version", "from_status", "to_status", "actor", "reason", "at")
SELECT "definition_id", "version", 'draft', "status", coalesce("published_by", "created_by", 'system'), 'recorded before version transitions existed', coalesce("published_at", "created_at")
FROM "workflow_versions" WHERE "status" <> 'draft' ORDER BY coalesce("published_at", "created_at");
