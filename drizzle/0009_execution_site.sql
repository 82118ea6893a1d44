ALTER TABLE "executions" ADD COLUMN "site_id" text;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "config_snapshot" jsonb;--> statement-breakpoint
CREATE INDEX "executions_site_started_idx" ON "executions" USING btree ("site_id","started_at");