DROP TABLE IF EXISTS batch_entries;
DROP TABLE IF EXISTS batches;
DROP TABLE IF EXISTS posted_entries;
