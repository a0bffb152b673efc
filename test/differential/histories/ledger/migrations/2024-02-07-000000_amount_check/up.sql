ALTER TABLE entries ADD CONSTRAINT entries_amount_nonzero CHECK (amount_cents <> 0);
