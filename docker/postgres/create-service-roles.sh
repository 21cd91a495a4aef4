#!/bin/sh
# One PostgreSQL role per service, owning its schema and nothing else, so a service (or whoever
# takes one over) reads and writes only its own data: DESIGN's "a service reads and writes only
# its own schema", enforced by the database. The postgres image runs this once, on a new volume
# (docker-entrypoint-initdb.d); run it by hand on an existing database (PGHOST, PGUSER, ...).
#
#   POSTGRES_DB                          the database (connector)
#   DB_PASSWORD_ORDER_INGESTION, DB_PASSWORD_PARTNER_RESOLUTION, DB_PASSWORD_INVENTORY,
#   DB_PASSWORD_AMAZON_NOTIFICATIONS, DB_PASSWORD_GATEWAY    each service's password
#   DB_ROLE_PREFIX                       prefix of the role names (tests; empty by default)
set -eu
database="${POSTGRES_DB:-connector}"
prefix="${DB_ROLE_PREFIX:-}"
for pair in ingestion:ORDER_INGESTION partners:PARTNER_RESOLUTION inventory:INVENTORY notifications:AMAZON_NOTIFICATIONS access:GATEWAY; do
  schema="${pair%%:*}"
  variable="DB_PASSWORD_${pair#*:}"
  password="$(printenv "$variable" || true)"
  if [ -z "$password" ]; then echo "create-service-roles: set $variable" >&2; exit 1; fi
  psql -v ON_ERROR_STOP=1 --quiet --username "${POSTGRES_USER:-${PGUSER:-postgres}}" --dbname "$database" \
    -v role="$prefix$schema" -v schema="$schema" -v password="$password" -v database="$database" <<'SQL'
select format('create role %I login password %L', :'role', :'password') where not exists (select from pg_roles where rolname = :'role') \gexec
select format('alter role %I password %L', :'role', :'password') \gexec
-- Connect, and create its schema at its first start (migrations run "create schema if not exists").
select format('grant connect, create on database %I to %I', :'database', :'role') \gexec
select format('create schema if not exists %I authorization %I', :'schema', :'role') \gexec
select format('alter schema %I owner to %I', :'schema', :'role') \gexec
-- An existing installation: what the services made before, as the superuser, becomes theirs.
select format('alter table %I.%I owner to %I', schemaname, tablename, :'role') from pg_tables where schemaname = :'schema' \gexec
select format('alter sequence %I.%I owner to %I', sequence_schema, sequence_name, :'role') from information_schema.sequences where sequence_schema = :'schema' \gexec
SQL
done
# Amazon's quotas are per seller whichever service calls: the one schema two services share
# (order-ingestion and amazon-notifications take tokens from the same rows, every replica). It and
# its tables belong to a role of their own that both service roles are members of, so either may
# make or change the tables (whichever migrates first); no other role reaches them. On an existing
# database, what the first service made as its own role moves to that owner.
psql -v ON_ERROR_STOP=1 --quiet --username "${POSTGRES_USER:-${PGUSER:-postgres}}" --dbname "$database" \
  -v owner="${prefix}amazon_quotas" -v ingestion="${prefix}ingestion" -v notifications="${prefix}notifications" <<'SQL'
select format('create role %I nologin', :'owner') where not exists (select from pg_roles where rolname = :'owner') \gexec
select format('grant %I to %I, %I', :'owner', :'ingestion', :'notifications') \gexec
create schema if not exists amazon_quotas;
select format('alter schema amazon_quotas owner to %I', :'owner') \gexec
revoke all on schema amazon_quotas from public;
select format('alter table amazon_quotas.%I owner to %I', tablename, :'owner') from pg_tables where schemaname = 'amazon_quotas' \gexec
select format('revoke all on amazon_quotas.%I from public', tablename) from pg_tables where schemaname = 'amazon_quotas' \gexec
SQL
