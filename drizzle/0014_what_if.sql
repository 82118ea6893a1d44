CREATE TABLE "what_if_results" (
	"what_if_id" text NOT NULL,
	"ordinal" integer NOT NULL,
	"execution_id" text NOT NULL,
	"category" text,
	"culprits" jsonb,
	"detail" jsonb,
	"updated_at" timestamp with time zone,
	CONSTRAINT "what_if_results_what_if_id_ordinal_pk" PRIMARY KEY("what_if_id","ordinal"),
	CONSTRAINT "what_if_results_category_ck" CHECK ("what_if_results"."category" is null or "what_if_results"."category" in ('same', 'output_changed', 'path_changed', 'now_fails', 'now_succeeds', 'unanswered'))
);
--> statement-breakpoint
CREATE TABLE "what_if_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"definition_id" text NOT NULL,
	"version" text NOT NULL,
	"sample" jsonb NOT NULL,
	"stubs" jsonb NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"total" integer NOT NULL,
	"summary" jsonb,
	"error" jsonb,
	"rollout_id" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "what_if_runs_status_ck" CHECK ("what_if_runs"."status" in ('running', 'completed', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "what_if_results" ADD CONSTRAINT "what_if_results_what_if_id_what_if_runs_id_fk" FOREIGN KEY ("what_if_id") REFERENCES "public"."what_if_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "what_if_results_execution_uq" ON "what_if_results" USING btree ("what_if_id","execution_id");--> statement-breakpoint
CREATE INDEX "what_if_runs_definition_idx" ON "what_if_runs" USING btree ("definition_id","created_at");