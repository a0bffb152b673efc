DROP INDEX books_published_idx;
