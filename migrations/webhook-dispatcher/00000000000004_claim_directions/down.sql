ALTER TABLE deliveries DROP CONSTRAINT deliveries_direction_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_direction_check
    CHECK (direction IN ('RECEIVER', 'SENDER'));
