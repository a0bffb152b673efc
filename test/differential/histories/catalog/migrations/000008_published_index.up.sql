CREATE INDEX CONCURRENTLY books_published_idx ON books (published);
