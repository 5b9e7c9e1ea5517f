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

-- Statements carrying a password should not reach the server log, neither as executed
-- (log_statement) nor as failed (log_min_error_statement). Only a superuser (or a role granted
-- SET on them) may change these; elsewhere, say so and go on: the statements below are ordered
-- so that the one with the password is the one least likely to fail (everything it needs is
-- checked first).
DO $$
BEGIN
  SET log_statement = 'none';
  SET log_min_error_statement = 'panic';
  SET log_min_duration_statement = -1;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'db-bootstrap: cannot quiet the statement log; a failing password statement may be logged';
END $$;

CREATE TEMP TABLE bootstrap_service (name text PRIMARY KEY, password text NOT NULL);
INSERT INTO bootstrap_service VALUES
  (:'prefix' || 'identity', :'pw_identity'),
  (:'prefix' || 'transaction', :'pw_transaction'),
  (:'prefix' || 'ledger', :'pw_ledger'),
  (:'prefix' || 'webhook_dispatcher', :'pw_webhook_dispatcher'),
  (:'prefix' || 'settlement', :'pw_settlement');

-- Refuse before changing anything:
-- - a missing, short or not URL-safe password (it goes into IDAAS__DATABASE__URL unescaped);
-- - a name the services would not accept;
-- - an existing role with powers this script may not take away (superuser, replication, RLS
--   bypass): an administrator must look at it;
-- - an existing database owned by anyone but its role: its tables would stay the old owner's,
--   so the service could not migrate; and it may be somebody else's database on a shared
--   server. Drop it, or hand it over with REASSIGN OWNED, then run this again.
DO $$
DECLARE bad text;
BEGIN
  SELECT string_agg(name, ', ') INTO bad FROM bootstrap_service
   WHERE password !~ '^[A-Za-z0-9._~-]{16,}$';
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'db-bootstrap: no URL-safe password of 16 characters or more for %', bad
      USING HINT = 'set IDAAS_DB_PASSWORD_<SERVICE> for each service, e.g. openssl rand -hex 24';
  END IF;
  SELECT string_agg(name, ', ') INTO bad FROM bootstrap_service WHERE name !~ '^[a-z0-9_]{1,63}$';
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'db-bootstrap: invalid role/database name %', bad;
  END IF;
  SELECT string_agg(r.rolname, ', ') INTO bad FROM pg_roles r JOIN bootstrap_service s ON s.name = r.rolname
   WHERE r.rolsuper OR r.rolreplication OR r.rolbypassrls;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'db-bootstrap: % exists with superuser, replication or RLS-bypass power', bad
      USING HINT = 'remove it (ALTER ROLE ... NOSUPERUSER NOREPLICATION NOBYPASSRLS) as a superuser';
  END IF;
  SELECT string_agg(format('%s (owned by %s)', d.datname, o.rolname), ', ') INTO bad
    FROM pg_database d JOIN bootstrap_service s ON s.name = d.datname
    JOIN pg_roles o ON o.oid = d.datdba
   WHERE o.rolname <> s.name;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'db-bootstrap: database % exists and is not its role''s', bad
      USING HINT = 'drop it, or REASSIGN OWNED to the role inside it and ALTER DATABASE ... OWNER TO the role';
  END IF;
END $$;

-- Roles: created if missing, then (every run) set to exactly these attributes: what a
-- CREATEROLE administrator may set (NOSUPERUSER and friends were checked above) ...
SELECT format('CREATE ROLE %I', name) FROM bootstrap_service
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = name) \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOCREATEDB NOCREATEROLE INHERIT', name)
  FROM bootstrap_service \gexec
-- ... member of no other role (no pg_read_all_data or the like granted behind our back) ...
SELECT format('REVOKE %I FROM %I', g.rolname, m.rolname)
  FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
  JOIN bootstrap_service s ON s.name = m.rolname \gexec
-- ... and the password last, alone in its statement.
SELECT format('ALTER ROLE %I WITH PASSWORD %L', name, password) FROM bootstrap_service \gexec

-- Databases: created owned by their role. Owning a database requires being able to act as its
-- owner, which an administrator that is not a superuser must be granted for the moment.
SELECT rolsuper AS admin_is_superuser FROM pg_roles WHERE rolname = current_user \gset
\if :admin_is_superuser
\else
  SELECT format('GRANT %I TO %I', name, current_user) FROM bootstrap_service \gexec
\endif
SELECT format('CREATE DATABASE %I OWNER %I', name, name) FROM bootstrap_service
 WHERE NOT EXISTS (SELECT 1 FROM pg_database d WHERE d.datname = name) \gexec
-- PUBLIC's default CONNECT and TEMP are the owner's grant, so only the owner can take them back.
SELECT format('SET ROLE %I; REVOKE ALL ON DATABASE %I FROM PUBLIC; RESET ROLE', name, name)
  FROM bootstrap_service \gexec
\if :admin_is_superuser
\else
  SELECT format('REVOKE %I FROM %I', name, current_user) FROM bootstrap_service \gexec
\endif

\unset pw_identity
\unset pw_transaction
\unset pw_ledger
\unset pw_webhook_dispatcher
\unset pw_settlement
SELECT 'db-bootstrap: ' || string_agg(name, ', ' ORDER BY name) || ' ready' AS result
  FROM bootstrap_service \gset
\echo :result
