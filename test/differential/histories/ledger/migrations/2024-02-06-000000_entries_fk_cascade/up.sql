ALTER TABLE entries DROP CONSTRAINT entries_account_id_fkey;
ALTER TABLE entries ADD CONSTRAINT entries_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
