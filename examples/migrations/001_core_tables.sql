-- The tables of the design (§2 "Database Schema Optimization", §3 "RBAC Implementation",
-- §6 "Cache Patterns"), with the columns its SQL and code name and no others; a later
-- migration adds the columns the application still needs. Runs as matbakh_owner (the
-- bootstrap's SET ROLE), so that role owns everything and the application roles do not.

-- §3: the user's role in the application (not a database role).
CREATE TABLE user_roles (
    user_id UUID PRIMARY KEY,
    role TEXT NOT NULL DEFAULT 'user',
    permissions JSONB DEFAULT '[]'::jsonb,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    CONSTRAINT valid_role CHECK (role IN ('user', 'admin', 'super_admin'))
);

-- §3's policies read user_id, §2's index status and created_at, §7's ETL company_name and
-- updated_at. Assumed: status is free text ('active', 'pending', ... as §2's index names).
CREATE TABLE business_partners (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    company_name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- The design writes CREATE INDEX CONCURRENTLY: CONCURRENTLY cannot run inside a transaction
-- block, and every migration runs in one (with its history row). On an empty table a plain
-- CREATE INDEX is as good.
CREATE INDEX idx_business_partners_status_created
    ON business_partners (status, created_at DESC)
    WHERE status IN ('active', 'pending');

-- §2: partitioned by month of created_at. status is implied by the design's index and
-- mv_daily_kpis. A primary key of a partitioned table must contain the partition key,
-- hence (id, created_at).
CREATE TABLE visibility_check_leads (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    email TEXT NOT NULL,
    business_name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

-- CREATE INDEX CONCURRENTLY is refused on a partitioned table: a plain CREATE INDEX on the
-- parent creates it on every partition, and on each partition created or attached later.
CREATE INDEX idx_visibility_leads_email_status
    ON visibility_check_leads (email, status)
    WHERE status != 'deleted';

-- Partition upkeep: BOTH a default partition and a function that creates the monthly
-- partitions ahead (run daily by pg_cron, 005_scheduled_jobs.sql).
--  * The function keeps rows in their month's partition: it creates the months up to
--    three months ahead, so inserts normally never reach the default partition.
--  * The default partition is the safety net: if the job stops running (pg_cron off, a
--    restore without the job), inserts after the last month land there instead of failing
--    with "no partition of relation found for row" (a lost lead). When the function later
--    creates that month, it moves the rows out of the default partition into it.
CREATE TABLE visibility_check_leads_default PARTITION OF visibility_check_leads DEFAULT;

-- Creates the monthly partitions visibility_check_leads_yYYYYmMM from the month of
-- `from_month` through the month of `through` that do not exist yet; months are UTC.
-- Rows of such a month waiting in the default partition move into the new partition.
-- Returns how many partitions it created. SECURITY DEFINER: the partitions belong to
-- matbakh_owner whoever runs it (the pg_cron job runs as the master user).
CREATE FUNCTION ensure_visibility_check_leads_partitions(
    from_month DATE DEFAULT (NOW() AT TIME ZONE 'UTC')::date,
    through DATE DEFAULT (NOW() AT TIME ZONE 'UTC' + INTERVAL '3 months')::date
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    month_start DATE := date_trunc('month', from_month)::date;
    lower_bound TIMESTAMPTZ;
    upper_bound TIMESTAMPTZ;
    part_name TEXT;
    created integer := 0;
BEGIN
    -- One upkeep at a time (the job and an operator's call).
    PERFORM pg_advisory_xact_lock(hashtextextended('matbakh:visibility_check_leads partitions', 0));
    WHILE month_start <= date_trunc('month', through)::date LOOP
        part_name := format('visibility_check_leads_y%sm%s', to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
        lower_bound := month_start::timestamp AT TIME ZONE 'UTC';
        upper_bound := (month_start + INTERVAL '1 month')::timestamp AT TIME ZONE 'UTC';
        IF to_regclass(format('public.%I', part_name)) IS NULL THEN
            -- A new table filled from the default partition, then attached: CREATE TABLE ...
            -- PARTITION OF would be refused while the default partition holds rows of the month.
            EXECUTE format('CREATE TABLE %I (LIKE visibility_check_leads INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part_name);
            EXECUTE format(
                'WITH moved AS (DELETE FROM visibility_check_leads_default WHERE created_at >= %L AND created_at < %L RETURNING *) '
                'INSERT INTO %I SELECT * FROM moved', lower_bound, upper_bound, part_name);
            EXECUTE format('ALTER TABLE visibility_check_leads ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                part_name, lower_bound, upper_bound);
            created := created + 1;
        END IF;
        month_start := (month_start + INTERVAL '1 month')::date;
    END LOOP;
    RETURN created;
END;
$$;
REVOKE EXECUTE ON FUNCTION ensure_visibility_check_leads_partitions(DATE, DATE) FROM PUBLIC;

-- §2 pre-creates 2025-01 and 2025-02; this creates every month from 2025-01 through three
-- months after the month the migration runs in.
SELECT ensure_visibility_check_leads_partitions(DATE '2025-01-01');

-- §2's join and §6's cache keys: a lead's analysis result. lead_id has no foreign key: a
-- key referencing a partitioned table must cover its partition key (id, created_at).
-- Assumed: overall_score is numeric (the design averages it).
CREATE TABLE visibility_check_results (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    lead_id UUID NOT NULL,
    overall_score NUMERIC,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_visibility_check_results_lead ON visibility_check_results (lead_id);

-- §6: SELECT * FROM gmb_categories WHERE is_active = true ORDER BY sort_order.
-- Assumed: a category has a name.
CREATE TABLE gmb_categories (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name TEXT NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT true,
    sort_order INTEGER NOT NULL DEFAULT 0
);
