#!/bin/sh
# Backup of everything that holds state (docs/deploy.md "Backup and restore"),
# into BACKUP_DIR/YYYYmmdd-HHMM/:
#   teplo.dump, rasa_tracker.dump   pg_dump -Fc of both databases (pg_restore them)
#   attachments.tar.gz              consumers' photos and documents (ATTACHMENTS_DIR)
#   models.tar.gz                   the promoted model (MODEL_PUBLISH_DIR)
#   nlu.tar.gz                      data/nlu as retraining edited it (NLU_DATA_DIR)
# Backups older than BACKUP_KEEP_DAYS (14) are removed. Run by the backup timer
# (systemd teplo-backup.timer, the Kubernetes CronJob), or `--daily HH:MM` to
# wait for that time every day itself (compose's backup service).
set -eu

if [ "${1:-}" = "--daily" ]; then
    while :; do
        now=$(date +%s)
        next=$(date -d "today $2" +%s)
        [ "$next" -gt "$now" ] || next=$(date -d "tomorrow $2" +%s)
        sleep $((next - now))
        "$0" || echo "backup: failed, next try tomorrow" >&2
    done
fi

dest="${BACKUP_DIR:-/var/backups/teplo}/$(date +%Y%m%d-%H%M)"
mkdir -p "$dest"
# SQLAlchemy's URL without its driver is libpq's.
owner_url=$(printf %s "${DATABASE_OWNER_URL:-$DATABASE_URL}" | sed 's/+psycopg2//')
pg_dump --format=custom --dbname="$owner_url" --file="$dest/teplo.dump"
tracker_url="postgresql://${TRACKER_DB_USER}:${TRACKER_DB_PASSWORD}@${TRACKER_DB_HOST}/${TRACKER_DB_NAME}"
pg_dump --format=custom --dbname="$tracker_url" --file="$dest/rasa_tracker.dump"
for pair in "attachments:${ATTACHMENTS_DIR:-}" "models:${MODEL_PUBLISH_DIR:-}" "nlu:${NLU_DATA_DIR:-}"; do
    name=${pair%%:*}
    folder=${pair#*:}
    if [ -n "$folder" ] && [ -d "$folder" ]; then
        tar -C "$folder" -czf "$dest/$name.tar.gz" .
    fi
done
find "${BACKUP_DIR:-/var/backups/teplo}" -mindepth 1 -maxdepth 1 -type d \
    -mtime +"${BACKUP_KEEP_DAYS:-14}" -exec rm -rf {} +
echo "backup: $dest"
