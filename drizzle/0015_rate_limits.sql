CREATE TABLE "execution_admissions" (
	"execution_id" text PRIMARY KEY NOT NULL,
	"definition_id" text NOT NULL,
	"seq" bigserial NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"granted_at" timestamp with time zone,
	"released_at" timestamp with time zone,
	CONSTRAINT "execution_admissions_state_ck" CHECK ("execution_admissions"."state" in ('queued', 'running', 'released'))
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"tat" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "execution_admissions_open_idx" ON "execution_admissions" USING btree ("definition_id","seq") WHERE "execution_admissions"."state" <> 'released';--> statement-breakpoint
CREATE INDEX "execution_admissions_granted_idx" ON "execution_admissions" USING btree ("definition_id","granted_at");