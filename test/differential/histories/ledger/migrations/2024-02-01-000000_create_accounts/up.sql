CREATE TABLE accounts (
  id serial PRIMARY KEY,
  holder text NOT NULL,
  balance_cents integer NOT NULL DEFAULT 0,
  opened_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE entries (
  id serial PRIMARY KEY,
  account_id integer NOT NULL REFERENCES accounts (id),
  amount_cents integer NOT NULL,
  memo text
);
CREATE FUNCTION touch_balance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts SET balance_cents = balance_cents + NEW.amount_cents WHERE id = NEW.account_id;
  RETURN NEW;
END $$;
CREATE TRIGGER entries_balance AFTER INSERT ON entries FOR EACH ROW EXECUTE FUNCTION touch_balance();
