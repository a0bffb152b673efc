DROP VIEW book_titles; DROP TABLE books; DROP TABLE authors;
