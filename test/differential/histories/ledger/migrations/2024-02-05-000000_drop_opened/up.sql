ALTER TABLE accounts DROP COLUMN opened_at;
