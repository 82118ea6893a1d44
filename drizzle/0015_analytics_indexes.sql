CREATE INDEX "executions_completed_idx" ON "executions" USING btree ("completed_at");--> statement-breakpoint
CREATE INDEX "node_results_failed_idx" ON "node_results" USING btree ("execution_id") WHERE "node_results"."status" = 'failed';--> statement-breakpoint
-- Hand-written (drizzle-kit cannot express INCLUDE): a window of executions by start, with what the
-- analytics overview reads of them, answered by an index-only scan (docs/analytics.md#indexes).
CREATE INDEX "executions_window_idx" ON "executions" USING btree ("started_at") INCLUDE ("status", "duration_ms", "definition_id");
