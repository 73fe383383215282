-- The pg_cron jobs (the bootstrap creates the extension; on RDS the parameter group
-- preloads pg_cron and names this database in cron.database_name).
--
-- A job runs as the role that scheduled it, and pg_cron logs in as that role: the NOLOGIN
-- matbakh_owner cannot run one. So the jobs are scheduled as the master user (RESET ROLE),
-- a member of matbakh_owner, which may refresh the view and run the upkeep; the role goes
-- back to matbakh_owner for the rest of the migration. cron.schedule with a job name
-- replaces that job, so scheduling again changes nothing.
RESET ROLE;

-- §2: the daily KPIs at 01:00 UTC.
SELECT cron.schedule('refresh-kpis', '0 1 * * *', 'SELECT public.refresh_daily_kpis()');

-- 001's partition upkeep: daily at 00:05 UTC, creating the months through three months ahead.
SELECT cron.schedule('visibility-check-leads-partitions', '5 0 * * *',
    'SELECT public.ensure_visibility_check_leads_partitions()');

SET LOCAL ROLE matbakh_owner;
