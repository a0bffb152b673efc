DROP VIEW book_titles;
CREATE VIEW book_titles AS SELECT b.id, b.title, b.pages, a.name AS author FROM books b JOIN authors a ON a.id = b.author_id;
