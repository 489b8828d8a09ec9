#!/bin/sh
# Run by the postgres image on an empty data volume (/docker-entrypoint-initdb.d):
# the roles and databases of roles.sql, passwords from the environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_password="$TEPLO_OWNER_PASSWORD" \
    -v app_password="$TEPLO_APP_PASSWORD" \
    -v tracker_password="$TRACKER_DB_PASSWORD" \
    -f /teplo/roles.sql
