#!/usr/bin/env bash
# Creates the platform's topics on the broker (tansu auto-creates none). Idempotent: a topic
# that exists, or that a service creates at the same moment, is fine. Topics come from
# TOPIC_SUFFIXES in lib.sh (prefix IDAAS__KAFKA__TOPIC_PREFIX, default "idaas."); extra topic
# names can be given as arguments. Partitions: IDAAS__KAFKA__PARTITIONS (default 1).
# Uses tansu's own admin CLI: `tansu topic list|create --broker tcp://host:port`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v tansu >/dev/null || die "tansu not found; run scripts/ensure-tansu.sh"

topics=()
for s in "${TOPIC_SUFFIXES[@]}"; do topics+=("$TOPIC_PREFIX$s"); done
topics+=("$@")

list_topics() { timeout 30 tansu topic list --broker "$TANSU_URL" 2>>"$LOG_DIR/create-topics.log"; }
has_topic() { grep -Fq "\"name\":\"$1\"" <<<"$2"; }

# The port opens before the broker answers its first request: retry the listing briefly.
existing=""
for _ in $(seq 1 15); do
  if existing="$(list_topics)"; then break; fi
  existing=""
  sleep 1
done
[[ "$existing" == \[* ]] || die "broker at $TANSU_URL does not answer topic listing (log: $LOG_DIR/create-topics.log)"

created=()
for topic in "${topics[@]}"; do
  has_topic "$topic" "$existing" && continue
  if timeout 30 tansu topic create --broker "$TANSU_URL" --partitions "$TOPIC_PARTITIONS" "$topic" \
    >>"$LOG_DIR/create-topics.log" 2>&1; then
    created+=("$topic")
  else
    # "Topic with this name already exists" (created meanwhile) is fine; anything else is not.
    existing="$(list_topics || true)"
    has_topic "$topic" "$existing" || {
      tail -n 5 "$LOG_DIR/create-topics.log" >&2
      die "could not create topic $topic on $TANSU_URL"
    }
  fi
done
if ((${#created[@]})); then log "created topics: ${created[*]}"; fi
log "topics present on $KAFKA_HOST:$KAFKA_PORT: ${topics[*]}"
