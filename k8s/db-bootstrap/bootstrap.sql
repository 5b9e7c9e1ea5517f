-- Creates each service's database and a login role that can use only that database.
-- Run by the Job in job.yaml (psql, connected as an administrator through the libpq variables
-- PGHOST, PGUSER, PGPASSWORD, ...); tested by tests/tests/db_bootstrap.rs.
--
-- Idempotent: run it again to apply a changed password (a rotation) or after adding a service.
-- Needs PostgreSQL 15 or later, where the public schema belongs to the database owner and
-- PUBLIC may not create in it, so "owns its database" is the whole grant.
--
-- Each role OWNS its database (the service applies its own migrations at start-up, so it needs
-- DDL there) and nothing else: no superuser, no CREATEDB/CREATEROLE, no replication, no RLS
-- bypass, and PUBLIC loses CONNECT/TEMP on every service database, so no service role can
-- even connect to another's database.
--
-- Inputs, from the environment (never on a command line):
--   IDAAS_DB_PASSWORD_<SERVICE>  the role's password, URL-safe (it also goes into the
--                                service's IDAAS__DATABASE__URL); all five are required
--   IDAAS_DB_PREFIX              optional, default idaas_ (role and database names)
\set ON_ERROR_STOP on
\set QUIET on

SELECT current_setting('server_version_num')::int >= 150000 AS supported \gset
\if :supported
\else
  \warn 'db-bootstrap: PostgreSQL 15 or later is required'
  DO $$ BEGIN RAISE EXCEPTION 'PostgreSQL 15 or later is required'; END $$;
\endif

\getenv prefix IDAAS_DB_PREFIX
\if :{?prefix}
\else
  \set prefix idaas_
\endif

\getenv pw_identity IDAAS_DB_PASSWORD_IDENTITY
\getenv pw_transaction IDAAS_DB_PASSWORD_TRANSACTION
\getenv pw_ledger IDAAS_DB_PASSWORD_LEDGER
\getenv pw_webhook_dispatcher IDAAS_DB_PASSWORD_WEBHOOK_DISPATCHER
\getenv pw_settlement IDAAS_DB_PASSWORD_SETTLEMENT
\if :{?pw_identity}
\else
  \set pw_identity ''
\endif
\if :{?pw_transaction}
\else
  \set pw_transaction ''
\endif
\if :{?pw_ledger}
\else
  \set pw_ledger ''
\endif
\if :{?pw_webhook_dispatcher}
\else
  \set pw_webhook_dispatcher ''
\endif
\if :{?pw_settlement}
\else
  \set pw_settlement ''
\endif

-- Statements carrying a password should not reach the server log (log_statement = ddl/all).
-- Only a superuser (or a role granted SET on it) may change that; elsewhere, say so and go on.
DO $$
BEGIN
  SET log_statement = 'none';
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'db-bootstrap: cannot turn off log_statement; role passwords may be logged';
END $$;

CREATE TEMP TABLE bootstrap_service (name text PRIMARY KEY, password text NOT NULL);
INSERT INTO bootstrap_service VALUES
  (:'prefix' || 'identity', :'pw_identity'),
  (:'prefix' || 'transaction', :'pw_transaction'),
  (:'prefix' || 'ledger', :'pw_ledger'),
  (:'prefix' || 'webhook_dispatcher', :'pw_webhook_dispatcher'),
  (:'prefix' || 'settlement', :'pw_settlement');

-- Refuse before changing anything: a missing password, or a name the services would not accept.
DO $$
DECLARE bad text;
BEGIN
  SELECT string_agg(name, ', ') INTO bad FROM bootstrap_service WHERE length(password) < 16;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'db-bootstrap: no password of 16 characters or more for %', bad
      USING HINT = 'set IDAAS_DB_PASSWORD_<SERVICE> for each service';
  END IF;
  SELECT string_agg(name, ', ') INTO bad FROM bootstrap_service WHERE name !~ '^[a-z0-9_]{1,63}$';
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'db-bootstrap: invalid role/database name %', bad;
  END IF;
END $$;

-- Roles: created if missing, then (every run) set to exactly these attributes and password.
SELECT format('CREATE ROLE %I', name) FROM bootstrap_service
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = name) \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION '
              'NOBYPASSRLS INHERIT PASSWORD %L', name, password) FROM bootstrap_service \gexec

-- Databases: created owned by their role, or handed to it if they exist already (created by
-- an earlier `make up`-style set-up); CREATE DATABASE cannot run in a transaction, hence \gexec.
SELECT format('CREATE DATABASE %I OWNER %I', name, name) FROM bootstrap_service
 WHERE NOT EXISTS (SELECT 1 FROM pg_database d WHERE d.datname = name) \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', name, name) FROM bootstrap_service \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', name) FROM bootstrap_service \gexec

\unset pw_identity
\unset pw_transaction
\unset pw_ledger
\unset pw_webhook_dispatcher
\unset pw_settlement
SELECT 'db-bootstrap: ' || string_agg(name, ', ' ORDER BY name) || ' ready' AS result
  FROM bootstrap_service \gset
\echo :result
