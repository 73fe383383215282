-- §6 "Cache Invalidation Strategy": a row change on a cached table is announced on the
-- channel cache_invalidation as {"table", "operation", "record_id"}, as the design has it.
-- pg_notify reaches sessions LISTENing on this database only. On RDS the path to the
-- cache-invalidator Lambda is aws_lambda.invoke (the aws_lambda extension); a later
-- migration adds that call, guarded by
-- IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'aws_lambda'), once the
-- extension and the function exist.
CREATE OR REPLACE FUNCTION notify_cache_invalidation()
RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('cache_invalidation', json_build_object(
        'table', TG_TABLE_NAME,
        'operation', TG_OP,
        'record_id', COALESCE(NEW.id, OLD.id)
    )::text);

    RETURN COALESCE(NEW, OLD);
END;
$$ LANGUAGE plpgsql;

-- The design applies it to business_partners; its invalidator also handles
-- visibility_check_results and gmb_categories, so they get the trigger too.
CREATE TRIGGER cache_invalidation_trigger
    AFTER INSERT OR UPDATE OR DELETE ON business_partners
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation();
CREATE TRIGGER cache_invalidation_trigger
    AFTER INSERT OR UPDATE OR DELETE ON visibility_check_results
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation();
CREATE TRIGGER cache_invalidation_trigger
    AFTER INSERT OR UPDATE OR DELETE ON gmb_categories
    FOR EACH ROW EXECUTE FUNCTION notify_cache_invalidation();
