ALTER TABLE author_stats ALTER COLUMN book_count TYPE integer;
