-- §2 "Materialized Views für Analytics", corrected so that it runs:
--  * created_at and status are qualified (vcl.): visibility_check_results has a
--    created_at too, so the design's unqualified names are ambiguous;
--  * leads are counted DISTINCT: the LEFT JOIN repeats a lead per result;
--  * the day is the UTC date, not the session time zone's (DATE(timestamptz) depends on
--    it), so every refresh groups alike;
--  * REFRESH MATERIALIZED VIEW CONCURRENTLY needs a unique index on the view: on date.
CREATE MATERIALIZED VIEW mv_daily_kpis AS
SELECT
    (vcl.created_at AT TIME ZONE 'UTC')::date AS date,
    COUNT(DISTINCT vcl.id) AS total_leads,
    COUNT(DISTINCT vcl.id) FILTER (WHERE vcl.status = 'completed') AS completed_leads,
    AVG(vcr.overall_score) FILTER (WHERE vcr.overall_score IS NOT NULL) AS avg_score
FROM visibility_check_leads vcl
LEFT JOIN visibility_check_results vcr ON vcl.id = vcr.lead_id
GROUP BY (vcl.created_at AT TIME ZONE 'UTC')::date
ORDER BY date DESC;

CREATE UNIQUE INDEX mv_daily_kpis_date ON mv_daily_kpis (date);

-- Readers keep reading the old rows while it refreshes (CONCURRENTLY). Only the owner
-- may refresh: the pg_cron job runs as the master user, a member of matbakh_owner.
CREATE OR REPLACE FUNCTION refresh_daily_kpis()
RETURNS void AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY mv_daily_kpis;
END;
$$ LANGUAGE plpgsql;
REVOKE EXECUTE ON FUNCTION refresh_daily_kpis() FROM PUBLIC;
