CREATE TABLE author_stats (
  author_id bigint PRIMARY KEY REFERENCES authors (id) ON DELETE CASCADE,
  book_count integer NOT NULL DEFAULT 0
);
INSERT INTO author_stats (author_id, book_count)
SELECT a.id, count(b.id) FROM authors a LEFT JOIN books b ON b.author_id = a.id GROUP BY a.id;
