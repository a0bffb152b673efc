DROP TRIGGER entries_balance ON entries;
CREATE TRIGGER entries_balance AFTER INSERT OR UPDATE ON entries FOR EACH ROW EXECUTE FUNCTION touch_balance();
