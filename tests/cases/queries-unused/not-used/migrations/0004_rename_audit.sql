ALTER TABLE audit RENAME TO audit_log;
