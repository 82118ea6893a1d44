CREATE TABLE "approval_decisions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "approval_decisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_id" text NOT NULL,
	"round" integer DEFAULT 1 NOT NULL,
	"step_id" text NOT NULL,
	"approver_id" text NOT NULL,
	"on_behalf_of" text,
	"action" text NOT NULL,
	"comments" text,
	"delegated_to" text,
	"decided_at" timestamp with time zone NOT NULL,
	CONSTRAINT "approval_decisions_action_ck" CHECK ("approval_decisions"."action" in ('approve', 'reject', 'request_changes', 'delegate', 'escalate', 'auto_approve'))
);
--> statement-breakpoint
CREATE TABLE "approval_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"request_type" text,
	"chain" jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "approval_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"data" jsonb,
	"requested_by" text,
	"policy_id" text,
	"chain" jsonb NOT NULL,
	"current_step" integer,
	"round" integer DEFAULT 1 NOT NULL,
	"pending_approvers" text[] DEFAULT '{}'::text[] NOT NULL,
	"execution_id" text,
	"node_id" text,
	"escalated_at" timestamp with time zone,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approval_requests_status_ck" CHECK ("approval_requests"."status" in ('pending', 'changes_requested', 'approved', 'rejected', 'cancelled', 'expired'))
);
--> statement-breakpoint
CREATE TABLE "connectors" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"description" text,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secrets" text,
	"last_tested_at" timestamp with time zone,
	"last_test_ok" boolean,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connectors_type_ck" CHECK ("connectors"."type" in ('salesforce', 'sap', 'netsuite', 'custom_api'))
);
--> statement-breakpoint
CREATE TABLE "event_triggers" (
	"definition_id" text NOT NULL,
	"event_name" text NOT NULL,
	"filter" text,
	CONSTRAINT "event_triggers_definition_id_event_name_pk" PRIMARY KEY("definition_id","event_name")
);
--> statement-breakpoint
CREATE TABLE "event_waits" (
	"id" text PRIMARY KEY NOT NULL,
	"execution_id" text NOT NULL,
	"node_id" text NOT NULL,
	"event_name" text NOT NULL,
	"correlation_key" text,
	"filter" text,
	"since" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'waiting' NOT NULL,
	"event_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_waits_state_ck" CHECK ("event_waits"."state" in ('waiting', 'delivered', 'expired', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"correlation_key" text,
	"payload" jsonb,
	"source" text,
	"idempotency_key" text,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "approval_decisions" ADD CONSTRAINT "approval_decisions_request_id_approval_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."approval_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_triggers" ADD CONSTRAINT "event_triggers_definition_id_workflow_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."workflow_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "approval_decisions_once_uq" ON "approval_decisions" USING btree ("request_id","round","step_id","approver_id");--> statement-breakpoint
CREATE INDEX "approval_decisions_approver_idx" ON "approval_decisions" USING btree ("approver_id");--> statement-breakpoint
CREATE INDEX "approval_policies_type_idx" ON "approval_policies" USING btree ("request_type","priority");--> statement-breakpoint
CREATE INDEX "approval_requests_status_idx" ON "approval_requests" USING btree ("status","requested_at");--> statement-breakpoint
CREATE INDEX "approval_requests_pending_idx" ON "approval_requests" USING gin ("pending_approvers");--> statement-breakpoint
CREATE INDEX "approval_requests_execution_idx" ON "approval_requests" USING btree ("execution_id");--> statement-breakpoint
CREATE UNIQUE INDEX "connectors_name_uq" ON "connectors" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "event_triggers_event_idx" ON "event_triggers" USING btree ("event_name");--> statement-breakpoint
CREATE INDEX "event_waits_waiting_idx" ON "event_waits" USING btree ("event_name","correlation_key") WHERE "event_waits"."state" = 'waiting';--> statement-breakpoint
CREATE INDEX "event_waits_execution_idx" ON "event_waits" USING btree ("execution_id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_idempotency_uq" ON "events" USING btree ("idempotency_key") WHERE "events"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "events_name_key_idx" ON "events" USING btree ("name","correlation_key","published_at");