-- Live execution events (docs/analytics.md#live-execution-events): every audit entry of an
-- execution or an approval request wakes the API processes that stream events. The entry is
-- written in the same transaction as the change it records, and NOTIFY is delivered at commit,
-- so a listener never hears of an entry it cannot read yet. The payload only says where to read
-- from: listeners read the entries themselves, in seq order, so a lost notification loses nothing.
CREATE OR REPLACE FUNCTION "weft_notify_execution_event"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('weft_execution_events', json_build_object('seq', NEW."seq", 'resourceType', NEW."resource_type", 'resourceId', NEW."resource_id", 'workflowId', NEW."workflow_id")::text);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_notify_execution_events" AFTER INSERT ON "audit_log" FOR EACH ROW
  WHEN (NEW."resource_type" IN ('execution', 'approval_request'))
  EXECUTE FUNCTION "weft_notify_execution_event"();
