CREATE TABLE authors (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  country varchar(2)
);
CREATE TABLE books (
  id bigserial PRIMARY KEY,
  author_id bigint NOT NULL REFERENCES authors (id),
  title text NOT NULL,
  pages integer CHECK (pages > 0),
  published date
);
CREATE VIEW book_titles AS SELECT b.id, b.title, a.name AS author FROM books b JOIN authors a ON a.id = b.author_id;
