CREATE TABLE "triggers" (
	"id" text PRIMARY KEY NOT NULL,
	"definition_id" text NOT NULL,
	"type" text NOT NULL,
	"name" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"input_mapping" text,
	"site_id" text,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secret_sealed" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "triggers_type_ck" CHECK ("triggers"."type" in ('manual', 'webhook', 'schedule', 'event'))
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"trigger_id" text NOT NULL,
	"delivery_id" text NOT NULL,
	"signature_hash" text NOT NULL,
	"execution_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_deliveries_trigger_id_delivery_id_pk" PRIMARY KEY("trigger_id","delivery_id")
);
--> statement-breakpoint
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
ALTER TABLE "triggers" ADD CONSTRAINT "triggers_definition_id_workflow_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."workflow_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_trigger_id_triggers_id_fk" FOREIGN KEY ("trigger_id") REFERENCES "public"."triggers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "triggers_definition_idx" ON "triggers" USING btree ("definition_id","created_at");--> statement-breakpoint
CREATE INDEX "triggers_event_idx" ON "triggers" USING btree (("config"->>'event')) WHERE "triggers"."type" = 'event';--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_signature_uq" ON "webhook_deliveries" USING btree ("trigger_id","signature_hash");--> statement-breakpoint
CREATE INDEX "execution_admissions_open_idx" ON "execution_admissions" USING btree ("definition_id","seq") WHERE "execution_admissions"."state" <> 'released';--> statement-breakpoint
CREATE INDEX "execution_admissions_granted_idx" ON "execution_admissions" USING btree ("definition_id","granted_at");