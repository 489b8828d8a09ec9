-- Least privilege in the database, run once by the superuser (compose: the
-- postgres image runs roles.sh on an empty volume; a VM: docs/deploy.md):
--   psql -v owner_password=... -v app_password=... -v tracker_password=... -f roles.sql
-- teplo_owner owns the assistant's database and is the only role that runs the
-- migrations (DATABASE_OWNER_URL); teplo_app, which every service connects as
-- (DATABASE_URL), reads and writes rows and can change no schema; teplo_tracker
-- owns Rasa's conversation database (Rasa creates its own table there).
\set ON_ERROR_STOP on
CREATE ROLE teplo_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE teplo_app LOGIN PASSWORD :'app_password';
CREATE ROLE teplo_tracker LOGIN PASSWORD :'tracker_password';
CREATE DATABASE teplo OWNER teplo_owner;
CREATE DATABASE rasa_tracker OWNER teplo_tracker;
REVOKE ALL ON DATABASE teplo FROM PUBLIC;
REVOKE ALL ON DATABASE rasa_tracker FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE teplo TO teplo_owner, teplo_app;
GRANT CONNECT ON DATABASE rasa_tracker TO teplo_tracker;

\connect teplo
ALTER SCHEMA public OWNER TO teplo_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO teplo_app;
-- Tables and sequences the migrations create from now on...
ALTER DEFAULT PRIVILEGES FOR ROLE teplo_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO teplo_app;
ALTER DEFAULT PRIVILEGES FOR ROLE teplo_owner IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO teplo_app;
-- ...and those already there (a restored dump): the file can be run again.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO teplo_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO teplo_app;

\connect rasa_tracker
ALTER SCHEMA public OWNER TO teplo_tracker;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
