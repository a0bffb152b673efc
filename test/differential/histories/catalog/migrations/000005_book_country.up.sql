ALTER TABLE books ADD COLUMN country varchar(2);
UPDATE books SET country = authors.country FROM authors WHERE authors.id = books.author_id;
