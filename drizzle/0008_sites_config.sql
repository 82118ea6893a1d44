CREATE TABLE "config_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"approval_request_id" text,
	"site_id" text NOT NULL,
	"changes" jsonb NOT NULL,
	"reason" text,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"outcome" text,
	"settled_at" timestamp with time zone,
	CONSTRAINT "config_changes_status_ck" CHECK ("config_changes"."status" in ('pending', 'applied', 'rejected', 'conflict', 'invalid', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "config_history" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "config_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"scope" text NOT NULL,
	"scope_id" text NOT NULL,
	"key" text NOT NULL,
	"action" text NOT NULL,
	"old_value" jsonb,
	"new_value" jsonb,
	"secret" boolean DEFAULT false NOT NULL,
	"changed_by" text NOT NULL,
	"reason" text,
	"approval_request_id" text,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "config_parameters" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"default_value" jsonb,
	"description" text,
	"options" jsonb,
	"validation" jsonb,
	"required_at_level" text,
	"category" text,
	"secret" boolean DEFAULT false NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "config_parameters_type_ck" CHECK ("config_parameters"."type" in ('string', 'number', 'boolean', 'json', 'select')),
	CONSTRAINT "config_parameters_level_ck" CHECK ("config_parameters"."required_at_level" is null or "config_parameters"."required_at_level" in ('global', 'regional', 'site'))
);
--> statement-breakpoint
CREATE TABLE "config_values" (
	"scope" text NOT NULL,
	"scope_id" text NOT NULL,
	"key" text NOT NULL,
	"value" jsonb,
	"sealed" text,
	"etag" text NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"set_by" text NOT NULL,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" text,
	"approval_request_id" text,
	CONSTRAINT "config_values_scope_scope_id_key_pk" PRIMARY KEY("scope","scope_id","key"),
	CONSTRAINT "config_values_scope_ck" CHECK ("config_values"."scope" in ('global', 'region', 'site'))
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"location" text DEFAULT '' NOT NULL,
	"region" text NOT NULL,
	"environment" text NOT NULL,
	"parent_site_id" text,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sites_environment_ck" CHECK ("sites"."environment" in ('production', 'staging', 'development')),
	CONSTRAINT "sites_not_own_parent_ck" CHECK ("sites"."parent_site_id" is null or "sites"."parent_site_id" <> "sites"."id")
);
--> statement-breakpoint
ALTER TABLE "config_values" ADD CONSTRAINT "config_values_key_config_parameters_key_fk" FOREIGN KEY ("key") REFERENCES "public"."config_parameters"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_parent_site_id_sites_id_fk" FOREIGN KEY ("parent_site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "config_changes_request_idx" ON "config_changes" USING btree ("approval_request_id");--> statement-breakpoint
CREATE INDEX "config_history_scope_idx" ON "config_history" USING btree ("scope","scope_id","at");--> statement-breakpoint
CREATE INDEX "config_history_key_idx" ON "config_history" USING btree ("key","at");--> statement-breakpoint
CREATE INDEX "config_history_at_idx" ON "config_history" USING btree ("at");--> statement-breakpoint
CREATE INDEX "config_values_key_idx" ON "config_values" USING btree ("key");--> statement-breakpoint
CREATE INDEX "sites_region_idx" ON "sites" USING btree ("region");--> statement-breakpoint
CREATE INDEX "sites_parent_idx" ON "sites" USING btree ("parent_site_id");