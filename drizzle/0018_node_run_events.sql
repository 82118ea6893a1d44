ALTER TABLE "node_results" ADD COLUMN "started_event_seq" bigint;--> statement-breakpoint
ALTER TABLE "node_results" ADD COLUMN "ended_event_seq" bigint;