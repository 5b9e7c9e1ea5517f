DROP TABLE IF EXISTS identity_links;
