#!/usr/bin/env bash
# Shared helpers for the local-platform scripts. Source it (`source "$(dirname "$0")/lib.sh"`);
# do not run it. Every script works from any working directory: paths hang off $ROOT.
# shellcheck disable=SC2034  # the lists and settings below are used by the sourcing scripts

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT/.run"        # pid files (git-ignored)
LOG_DIR="$RUN_DIR/logs"     # logs of what the scripts start
mkdir -p "$LOG_DIR"

# Start order: the gateway last, it checks the others.
SERVICES=(identity transaction ledger webhook-dispatcher settlement gateway)
DATABASES=(idaas_identity idaas_transaction idaas_ledger idaas_webhook_dispatcher idaas_settlement)
# Topic names without the prefix (config: kafka.topic_prefix = "idaas."). Add new ones here.
TOPIC_SUFFIXES=(applications tags transactions ledger webhooks webhooks.dlt settlements)

# Ports as in config/default.toml.
service_port() {
  case "$1" in
    gateway) echo 8080 ;;
    identity) echo 8081 ;;
    transaction) echo 8082 ;;
    ledger) echo 8083 ;;
    webhook-dispatcher) echo 8084 ;;
    settlement) echo 8085 ;;
    *) return 1 ;;
  esac
}

# The same variables the services read (IDAAS__SECTION__KEY), with the local defaults.
# PostgreSQL: a server URL; a database path or query (sslmode=...) is tolerated.
PG_URL="${IDAAS__DATABASE__URL:-postgres://postgres@127.0.0.1:5432}"
REDIS_URL="${IDAAS__REDIS__URL:-redis://127.0.0.1:6379}"
KAFKA_BROKERS="${IDAAS__KAFKA__BROKERS:-127.0.0.1:9092}"
TOPIC_PREFIX="${IDAAS__KAFKA__TOPIC_PREFIX:-idaas.}"
TOPIC_PARTITIONS="${IDAAS__KAFKA__PARTITIONS:-1}"
TANSU_VERSION="0.6.0"

export PATH="$HOME/.cargo/bin:$PATH"

# ---------------------------------------------------------------- logging
if [[ -t 2 ]]; then _c_info=$'\033[1;34m' _c_warn=$'\033[1;33m' _c_err=$'\033[1;31m' _c_off=$'\033[0m'
else _c_info="" _c_warn="" _c_err="" _c_off=""; fi
log() { printf '%s[idaas]%s %s\n' "$_c_info" "$_c_off" "$*" >&2; }
warn() { printf '%s[idaas] warning:%s %s\n' "$_c_warn" "$_c_off" "$*" >&2; }
die() { printf '%s[idaas] error:%s %s\n' "$_c_err" "$_c_off" "$*" >&2; exit 1; }

# ---------------------------------------------------------------- URLs
# scheme://user:pw@host:port/path?query -> the parts. IPv6 hosts in brackets are kept bracketless.
_url_authority() {
  local u="${1#*://}"
  u="${u%%/*}"; u="${u%%\?*}"
  echo "${u##*@}"
}
url_host() {
  local a; a="$(_url_authority "$1")"
  if [[ "$a" == \[* ]]; then a="${a#\[}"; echo "${a%%\]*}"; else echo "${a%%:*}"; fi
}
url_port() {
  local a; a="$(_url_authority "$1")"
  a="${a##*\]}"
  if [[ "$a" == *:* ]]; then echo "${a##*:}"; else echo "$2"; fi
}
# The same server URL pointing at database $2 (keeps user, password and query).
pg_url_for_db() {
  local url="$1" db="$2" scheme rest auth query=""
  scheme="${url%%://*}"; rest="${url#*://}"
  [[ "$rest" == *\?* ]] && query="?${rest#*\?}"
  rest="${rest%%\?*}"; auth="${rest%%/*}"
  echo "$scheme://$auth/$db$query"
}
# The server URL without a database (what the services and tests expect).
pg_server_url() {
  local url="$1" scheme rest query=""
  scheme="${url%%://*}"; rest="${url#*://}"
  [[ "$rest" == *\?* ]] && query="?${rest#*\?}"
  rest="${rest%%\?*}"
  echo "$scheme://${rest%%/*}$query"
}
# First broker of a comma-separated list, scheme stripped: host:port.
first_broker() { local b="${1%%,*}"; b="${b#*://}"; echo "${b%%/*}"; }
KAFKA_HOST="$(url_host "tcp://$(first_broker "$KAFKA_BROKERS")")"
KAFKA_PORT="$(url_port "tcp://$(first_broker "$KAFKA_BROKERS")" 9092)"
TANSU_URL="tcp://$KAFKA_HOST:$KAFKA_PORT"

is_local_host() { [[ "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }

# ---------------------------------------------------------------- waiting
# shellcheck disable=SC2016  # expanded by the inner bash
port_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null; }

# wait_for_port HOST PORT WHAT [SECONDS] [PIDNAME]: fails early if PIDNAME's process dies.
wait_for_port() {
  local host="$1" port="$2" what="$3" secs="${4:-60}" name="${5:-}" deadline
  deadline=$((SECONDS + secs))
  while ((SECONDS < deadline)); do
    port_open "$host" "$port" && return 0
    if [[ -n "$name" ]] && ! pid_alive "$name"; then
      die "$what exited before opening $host:$port (log: $LOG_DIR/$name.log)"
    fi
    sleep 1
  done
  die "$what did not open $host:$port within ${secs}s"
}

http_ok() { curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null; }

# wait_for_http URL WHAT [SECONDS] [PIDNAME]: 2xx within the time, else the log's tail and fail.
wait_for_http() {
  local url="$1" what="$2" secs="${3:-120}" name="${4:-}" deadline
  command -v curl >/dev/null || apt_install curl
  deadline=$((SECONDS + secs))
  while ((SECONDS < deadline)); do
    http_ok "$url" && return 0
    if [[ -n "$name" ]] && ! pid_alive "$name"; then
      show_log_tail "$name"
      die "$what exited before becoming healthy (log: $LOG_DIR/$name.log)"
    fi
    sleep 1
  done
  [[ -n "$name" ]] && show_log_tail "$name"
  die "$what not healthy at $url within ${secs}s${name:+ (log: $LOG_DIR/$name.log)}"
}

show_log_tail() {
  local f="$LOG_DIR/$1.log"
  [[ -f "$f" ]] || return 0
  printf -- '----- last 40 lines of %s -----\n' "$f" >&2
  tail -n 40 "$f" >&2 || true
  printf -- '-----\n' >&2
}

# ---------------------------------------------------------------- pid files (.run/<name>.pid)
pid_file() { echo "$RUN_DIR/$1.pid"; }
pid_of() { local f; f="$(pid_file "$1")"; [[ -f "$f" ]] && tr -dc '0-9' <"$f"; }

# Alive and still the program we started (guards against a recycled pid).
pid_alive() {
  local pid; pid="$(pid_of "$1")" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  local stat cmd
  stat="$(ps -o stat= -p "$pid" 2>/dev/null)" || return 1
  [[ "$stat" != Z* ]] || return 1 # exited, not yet reaped
  cmd="$(ps -o args= -p "$pid" 2>/dev/null)" || return 1
  [[ "$cmd" == *"$1"* ]]
}

# start_bg NAME CMD...: detached from the terminal (Ctrl-C of the caller does not reach it),
# output to .run/logs/NAME.log, pid to .run/NAME.pid.
start_bg() {
  local name="$1"; shift
  local logf="$LOG_DIR/$name.log"
  printf -- '===== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$logf"
  (
    # Close every inherited descriptor above 2 (lock files, a caller's pipes): a long-lived
    # child holding them would block other runs or keep `make up | tee` from ending.
    for fd in /proc/"$BASHPID"/fd/*; do
      fd="${fd##*/}"
      if [[ "$fd" =~ ^[0-9]+$ ]] && ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    # The subshell and setsid (not -f) both exec in place, so $! is the program's own pid.
    exec nohup setsid "$@" </dev/null >>"$logf" 2>&1
  ) &
  echo "$!" >"$(pid_file "$name")"
}

# stop_pid NAME: TERM, up to 15 s grace, then KILL; removes the pid file (stale or not).
stop_pid() {
  local name="$1" pid
  pid="$(pid_of "$name")" || return 0
  if pid_alive "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      warn "$name (pid $pid) ignored TERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$(pid_file "$name")"
}

# ---------------------------------------------------------------- packages
as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo -n "$@"
  else die "need root for: $*"; fi
}

apt_install() {
  command -v apt-get >/dev/null || die "need $* but apt-get is not available; install it by hand"
  log "installing $* (apt)"
  if [[ -z "${IDAAS_APT_UPDATED:-}" ]]; then
    as_root apt-get update -qq >&2
    export IDAAS_APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# A new P-256 private key, PKCS#8 PEM, on stdout (development and local-cluster keys).
p256_pem() {
  local pem
  command -v openssl >/dev/null || apt_install openssl
  pem="$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null)" \
    || die "openssl could not generate a P-256 key"
  [[ "$pem" == "-----BEGIN PRIVATE KEY-----"* ]] || die "openssl did not produce a PKCS#8 PEM key"
  printf '%s\n' "$pem"
}
