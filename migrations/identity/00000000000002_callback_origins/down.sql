ALTER TABLE applications DROP COLUMN callback_origins;
