CREATE TABLE "equipment" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'available' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "equipment_status_ck" CHECK ("equipment"."status" in ('available', 'maintenance', 'retired'))
);
--> statement-breakpoint
CREATE TABLE "equipment_reservations" (
	"id" text PRIMARY KEY NOT NULL,
	"equipment_id" text NOT NULL,
	"execution_id" text NOT NULL,
	"node_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'reserved' NOT NULL,
	"last_transition_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "equipment_reservations_state_ck" CHECK ("equipment_reservations"."state" in ('reserved', 'started', 'completed', 'released')),
	CONSTRAINT "equipment_reservations_window_ck" CHECK ("equipment_reservations"."ends_at" > "equipment_reservations"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "inventory_lots" (
	"material" text NOT NULL,
	"lot" text NOT NULL,
	"location" text NOT NULL,
	"quantity" numeric DEFAULT '0' NOT NULL,
	"unit" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_lots_material_lot_location_pk" PRIMARY KEY("material","lot","location"),
	CONSTRAINT "inventory_lots_quantity_ck" CHECK ("inventory_lots"."quantity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "inventory_movements" (
	"id" text PRIMARY KEY NOT NULL,
	"idempotency_key" text NOT NULL,
	"material" text NOT NULL,
	"lot" text NOT NULL,
	"location" text NOT NULL,
	"delta" numeric NOT NULL,
	"unit" text NOT NULL,
	"balance_after" numeric NOT NULL,
	"execution_id" text,
	"node_id" text,
	"actor" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quality_results" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "quality_results_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"idempotency_key" text NOT NULL,
	"execution_id" text NOT NULL,
	"node_id" text NOT NULL,
	"iteration" integer NOT NULL,
	"result" text NOT NULL,
	"details" jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quality_results_result_ck" CHECK ("quality_results"."result" in ('pass', 'warn', 'fail'))
);
--> statement-breakpoint
ALTER TABLE "equipment_reservations" ADD CONSTRAINT "equipment_reservations_equipment_id_equipment_id_fk" FOREIGN KEY ("equipment_id") REFERENCES "public"."equipment"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "equipment_reservations_idempotency_uq" ON "equipment_reservations" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "equipment_reservations_window_idx" ON "equipment_reservations" USING btree ("equipment_id","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "inventory_movements_idempotency_uq" ON "inventory_movements" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "inventory_movements_lot_idx" ON "inventory_movements" USING btree ("material","lot","location");--> statement-breakpoint
CREATE INDEX "inventory_movements_execution_idx" ON "inventory_movements" USING btree ("execution_id");--> statement-breakpoint
CREATE UNIQUE INDEX "quality_results_idempotency_uq" ON "quality_results" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "quality_results_execution_idx" ON "quality_results" USING btree ("execution_id");