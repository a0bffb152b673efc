DROP TABLE author_stats;
