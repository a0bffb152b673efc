ALTER TABLE accounts RENAME COLUMN holder TO owner_name;
