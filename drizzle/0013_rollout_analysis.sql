CREATE TABLE "rollback_executions" (
	"id" text PRIMARY KEY NOT NULL,
	"plan_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"steps" jsonb NOT NULL,
	"sites" jsonb NOT NULL,
	"revision" integer DEFAULT 0 NOT NULL,
	"executed_by" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"duration_ms" bigint,
	CONSTRAINT "rollback_executions_status_ck" CHECK ("rollback_executions"."status" in ('pending', 'in_progress', 'success', 'failed', 'partial'))
);
--> statement-breakpoint
CREATE TABLE "rollback_plans" (
	"id" text PRIMARY KEY NOT NULL,
	"rollout_id" text NOT NULL,
	"recovery_point_id" text NOT NULL,
	"definition_id" text NOT NULL,
	"reason" text NOT NULL,
	"target_version" text NOT NULL,
	"affected_sites" jsonb NOT NULL,
	"steps" jsonb NOT NULL,
	"estimated_duration_ms" bigint NOT NULL,
	"initiated_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollout_analyses" (
	"id" text PRIMARY KEY NOT NULL,
	"rollout_id" text NOT NULL,
	"definition_id" text NOT NULL,
	"version" text NOT NULL,
	"baseline_version" text,
	"canary_sites" jsonb NOT NULL,
	"baseline_sites" jsonb NOT NULL,
	"measured" jsonb NOT NULL,
	"thresholds" jsonb NOT NULL,
	"verdict" text NOT NULL,
	"p_value" double precision,
	"reasons" jsonb NOT NULL,
	"window_from" timestamp with time zone NOT NULL,
	"window_to" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rollout_analyses_verdict_ck" CHECK ("rollout_analyses"."verdict" in ('pass', 'fail', 'inconclusive'))
);
--> statement-breakpoint
CREATE TABLE "site_health_check_configs" (
	"site_id" text PRIMARY KEY NOT NULL,
	"checks" jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "site_health_checks" (
	"id" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"rollout_id" text,
	"definition_id" text NOT NULL,
	"version" text NOT NULL,
	"status" text NOT NULL,
	"checks" jsonb NOT NULL,
	"failure_count" integer NOT NULL,
	"warning_count" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "site_health_checks_status_ck" CHECK ("site_health_checks"."status" in ('healthy', 'degraded', 'unhealthy'))
);
--> statement-breakpoint
ALTER TABLE "rollback_executions" ADD CONSTRAINT "rollback_executions_plan_id_rollback_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."rollback_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_health_check_configs" ADD CONSTRAINT "site_health_check_configs_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rollback_executions_plan_idx" ON "rollback_executions" USING btree ("plan_id");--> statement-breakpoint
CREATE INDEX "rollback_plans_rollout_idx" ON "rollback_plans" USING btree ("rollout_id");--> statement-breakpoint
CREATE INDEX "rollout_analyses_rollout_idx" ON "rollout_analyses" USING btree ("rollout_id","created_at");--> statement-breakpoint
CREATE INDEX "site_health_checks_site_idx" ON "site_health_checks" USING btree ("site_id","created_at");