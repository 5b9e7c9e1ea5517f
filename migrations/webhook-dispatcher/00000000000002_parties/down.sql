DROP INDEX deliveries_by_party;
ALTER TABLE deliveries DROP COLUMN sender_application_id, DROP COLUMN receiver_application_id;
