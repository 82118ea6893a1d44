CREATE TABLE "recovery_points" (
	"id" text PRIMARY KEY NOT NULL,
	"rollout_id" text,
	"site_id" text NOT NULL,
	"definition_id" text NOT NULL,
	"kind" text NOT NULL,
	"version" text,
	"config_snapshot" jsonb NOT NULL,
	"variable_snapshot" jsonb,
	"deployment_state" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recovery_points_kind_ck" CHECK ("recovery_points"."kind" in ('pre_deployment', 'post_deployment', 'manual'))
);
--> statement-breakpoint
CREATE TABLE "rollout_deployments" (
	"rollout_id" text NOT NULL,
	"site_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"from_version" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"error" text,
	"metrics" jsonb,
	CONSTRAINT "rollout_deployments_rollout_id_site_id_pk" PRIMARY KEY("rollout_id","site_id"),
	CONSTRAINT "rollout_deployments_status_ck" CHECK ("rollout_deployments"."status" in ('pending', 'in_progress', 'success', 'failed', 'rolled_back'))
);
--> statement-breakpoint
CREATE TABLE "rollout_site_locks" (
	"definition_id" text NOT NULL,
	"site_id" text NOT NULL,
	"rollout_id" text NOT NULL,
	CONSTRAINT "rollout_site_locks_definition_id_site_id_pk" PRIMARY KEY("definition_id","site_id")
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"id" text PRIMARY KEY NOT NULL,
	"definition_id" text NOT NULL,
	"version" text NOT NULL,
	"strategy" text NOT NULL,
	"config" jsonb NOT NULL,
	"target_sites" jsonb NOT NULL,
	"plan" jsonb NOT NULL,
	"canary_sites" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"waiting_for" text,
	"failure_reason" text,
	"created_by" text NOT NULL,
	"approval_request_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	CONSTRAINT "rollouts_strategy_ck" CHECK ("rollouts"."strategy" in ('immediate', 'staged', 'canary', 'scheduled')),
	CONSTRAINT "rollouts_status_ck" CHECK ("rollouts"."status" in ('pending', 'in_progress', 'paused', 'completed', 'rolled_back', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "site_versions" (
	"definition_id" text NOT NULL,
	"site_id" text NOT NULL,
	"version" text NOT NULL,
	"set_by_rollout" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "site_versions_definition_id_site_id_pk" PRIMARY KEY("definition_id","site_id")
);
--> statement-breakpoint
CREATE INDEX "recovery_points_rollout_idx" ON "recovery_points" USING btree ("rollout_id","site_id");--> statement-breakpoint
CREATE INDEX "recovery_points_site_idx" ON "recovery_points" USING btree ("site_id","created_at");--> statement-breakpoint
CREATE INDEX "rollout_deployments_site_idx" ON "rollout_deployments" USING btree ("site_id");--> statement-breakpoint
CREATE INDEX "rollout_site_locks_rollout_idx" ON "rollout_site_locks" USING btree ("rollout_id");--> statement-breakpoint
CREATE INDEX "rollouts_definition_idx" ON "rollouts" USING btree ("definition_id","created_at");--> statement-breakpoint
CREATE INDEX "rollouts_status_idx" ON "rollouts" USING btree ("status");