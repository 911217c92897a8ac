-- The statement that breaks the query carries the approval: it covers the query's finding.
-- rollsafe:approve rename-column,previous-query-breaks reason="N-1 is retired before this runs (OPS-12)"
ALTER TABLE users RENAME COLUMN username TO handle;
