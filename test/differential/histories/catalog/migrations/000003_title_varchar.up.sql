DROP VIEW book_titles;
ALTER TABLE books ALTER COLUMN title TYPE varchar(300);
CREATE VIEW book_titles AS SELECT b.id, b.title, b.pages, a.name AS author FROM books b JOIN authors a ON a.id = b.author_id;
