#!/usr/bin/env bash
# RabbitMQ with the STOMP and Web-STOMP plugins on loopback, for the integration tests.
# All state lives under DIR; every process is stopped by its PID.
#
#   scripts/rabbitmq.sh install      # Debian's rabbitmq-server (needs root; once per machine)
#   scripts/rabbitmq.sh start DIR    # STOMP on 127.0.0.1:${STOMPBOX_RABBITMQ_PORT:-61613}
#   scripts/rabbitmq.sh stop DIR
set -euo pipefail

cmd=${1:?usage: rabbitmq.sh install | start DIR | stop DIR}
stomp_port=${STOMPBOX_RABBITMQ_PORT:-61613}
amqp_port=${STOMPBOX_RABBITMQ_AMQP_PORT:-5672}
ws_port=${STOMPBOX_RABBITMQ_WS_PORT:-15674}
dist_port=${STOMPBOX_RABBITMQ_DIST_PORT:-25672}

bin_dir() {
  # The package's own scripts, not the service wrappers in /usr/sbin.
  dirname "$(dpkg -L rabbitmq-server | grep -m1 '/bin/rabbitmq-server$')"
}

environment() {
  local dir=$1
  export HOME="$dir" RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$amqp_port" RABBITMQ_DIST_PORT="$dist_port" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbit.pid" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

case $cmd in
install)
  if ! dpkg -s rabbitmq-server >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  echo "rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server) installed"
  ;;
start)
  dir=$(realpath -m "${2:?usage: rabbitmq.sh start DIR}")
  mkdir -p "$dir/mnesia" "$dir/log"
  environment "$dir"
  B=$(bin_dir)
  cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp_port
stomp.listeners.tcp.1 = 127.0.0.1:$stomp_port
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $ws_port
web_stomp.ws_frame = binary
loopback_users = none
CONF
  "$B/rabbitmq-plugins" enable --offline rabbitmq_stomp rabbitmq_web_stomp >/dev/null
  # Our own port mapper, so that stop can end it by PID.
  epmd -address 127.0.0.1 >"$dir/log/epmd.log" 2>&1 &
  echo $! > "$dir/epmd.pid"
  "$B/rabbitmq-server" -detached
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$stomp_port") 2>/dev/null && break
    sleep 0.5
  done
  "$B/rabbitmqctl" await_startup >/dev/null
  echo "rabbitmq up: stomp 127.0.0.1:$stomp_port, web-stomp 127.0.0.1:$ws_port (state in $dir)"
  ;;
stop)
  dir=$(realpath -m "${2:?usage: rabbitmq.sh stop DIR}")
  environment "$dir"
  B=$(bin_dir)
  if [ -f "$dir/rabbit.pid" ]; then
    "$B/rabbitmqctl" stop "$dir/rabbit.pid" >/dev/null 2>&1 || kill "$(cat "$dir/rabbit.pid")" 2>/dev/null || true
  fi
  if [ -f "$dir/epmd.pid" ]; then
    kill "$(cat "$dir/epmd.pid")" 2>/dev/null || true
  fi
  echo "rabbitmq stopped"
  ;;
*)
  echo "usage: rabbitmq.sh install | start DIR | stop DIR" >&2
  exit 2
  ;;
esac
