UPDATE authors SET country = 'ZZ' WHERE country IS NULL;
ALTER TABLE authors ALTER COLUMN country SET NOT NULL;
