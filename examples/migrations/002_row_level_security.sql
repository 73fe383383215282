-- §3 "RBAC Implementation": the caller's user id per transaction, and the policies on
-- business_partners. FORCE ROW LEVEL SECURITY makes them bind the owner role too; only a
-- role with BYPASSRLS (none of the application roles) is exempt.

-- The design's helper, as written: the id holds until the transaction ends (is_local),
-- so a pooled connection never carries one request's user into the next. The
-- application calls it first in each transaction.
CREATE OR REPLACE FUNCTION set_current_user(user_id UUID)
RETURNS void AS $$
BEGIN
    PERFORM set_config('app.current_user_id', user_id::text, true);
END;
$$ LANGUAGE plpgsql;

-- The design's policies read current_setting('app.current_user_id')::uuid, which fails
-- with an error when no user was set (unknown setting, or '' after an earlier
-- transaction set it). The policies use this instead: NULL when unset, so no row matches.
CREATE FUNCTION current_app_user_id()
RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('app.current_user_id', true), '')::uuid
$$;

ALTER TABLE business_partners ENABLE ROW LEVEL SECURITY;
ALTER TABLE business_partners FORCE ROW LEVEL SECURITY;

CREATE POLICY "Users can read own data" ON business_partners
    FOR SELECT USING (user_id = current_app_user_id());

CREATE POLICY "Admins can read all data" ON business_partners
    FOR SELECT USING (
        EXISTS (
            SELECT 1 FROM user_roles
            WHERE user_id = current_app_user_id()
            AND role IN ('admin', 'super_admin')
        )
    );

-- Not in the design, needed once RLS is on: without a policy for a command, every row is
-- refused to it. Users write their own rows (and cannot hand a row to another user).
CREATE POLICY "Users can insert own data" ON business_partners
    FOR INSERT WITH CHECK (user_id = current_app_user_id());
CREATE POLICY "Users can update own data" ON business_partners
    FOR UPDATE USING (user_id = current_app_user_id()) WITH CHECK (user_id = current_app_user_id());
CREATE POLICY "Users can delete own data" ON business_partners
    FOR DELETE USING (user_id = current_app_user_id());

-- Not in the design: §7's Glue job exports every partner as etl_user, and the analytics
-- replica reads all rows. Policies name the bootstrap's group roles, so every member (the
-- login user and its rotation clone) reads all rows; they have SELECT only.
CREATE POLICY "Readers read all data" ON business_partners
    FOR SELECT TO matbakh_etl_ro, matbakh_analytics_ro USING (true);

-- Open (not in the design): user_roles has no RLS, as in the design; the application
-- role can read and write it (and so make a user an admin), which the API must guard.
