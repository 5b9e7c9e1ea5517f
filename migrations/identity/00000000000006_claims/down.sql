DROP TABLE claims;
DROP INDEX tags_by_owner;
ALTER TABLE tags DROP COLUMN owner_application_id;
