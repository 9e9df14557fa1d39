#!/usr/bin/env bash
# RabbitMQ with the STOMP and Web-STOMP plugins on loopback, for the integration tests.
# All state lives under DIR; every process is stopped by its PID.
#
#   scripts/rabbitmq.sh install      # Debian's rabbitmq-server (needs root; once per machine)
#   scripts/rabbitmq.sh start DIR    # STOMP on 127.0.0.1:${STOMPBOX_RABBITMQ_PORT:-61613}
#   scripts/rabbitmq.sh stop DIR
#
# Cluster mode: three nodes rabbit-1..3@localhost joined into one cluster, each with its own ports,
# data and log directories under DIR/node-N, and a port mapper of their own (port
# ${STOMPBOX_RABBITMQ_CLUSTER_EPMD_PORT:-4371}), so that a single node started beside them is untouched.
# Node N serves STOMP on ${STOMPBOX_RABBITMQ_CLUSTER_PORT:-61631} + N - 1 (no Web-STOMP).
#
#   scripts/rabbitmq.sh cluster-start DIR
#   scripts/rabbitmq.sh cluster-stop DIR
#   scripts/rabbitmq.sh node-kill DIR N     # SIGKILL node N (by the PID in DIR/node-N/rabbit.pid)
#   scripts/rabbitmq.sh node-start DIR N    # start node N again: returns once every node sees all three running
#   scripts/rabbitmq.sh errors DIR...       # the STOMP ERROR frames the nodes under each DIR sent, with the
#                                           # cause RabbitMQ logs but keeps out of the frame (for CI failures)
set -euo pipefail

usage="usage: rabbitmq.sh install | start DIR | stop DIR | cluster-start DIR | cluster-stop DIR | node-kill DIR N | node-start DIR N | errors DIR..."
cmd=${1:?$usage}
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

cluster_stomp=${STOMPBOX_RABBITMQ_CLUSTER_PORT:-61631}
cluster_amqp=${STOMPBOX_RABBITMQ_CLUSTER_AMQP_PORT:-5691}
cluster_dist=${STOMPBOX_RABBITMQ_CLUSTER_DIST_PORT:-25691}
cluster_epmd=${STOMPBOX_RABBITMQ_CLUSTER_EPMD_PORT:-4371}

# The environment of cluster node N (1..3). HOME is shared: the nodes and rabbitmqctl need one Erlang cookie.
node_environment() {
  local dir=$1 n=$2
  local nd="$dir/node-$n"
  export HOME="$dir" RABBITMQ_NODENAME="rabbit-$n@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$((cluster_amqp + n - 1)) RABBITMQ_DIST_PORT=$((cluster_dist + n - 1)) \
    ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$cluster_epmd" \
    RABBITMQ_CONFIG_FILE="$nd/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$nd/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$nd/mnesia" RABBITMQ_LOG_BASE="$nd/log" RABBITMQ_PID_FILE="$nd/rabbit.pid" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none"
}

await_port() {
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "nothing answers on 127.0.0.1:$1" >&2
  return 1
}

# Starts node N of the cluster in DIR (first start or restart) and waits until it serves STOMP.
node_start() {
  local dir=$1 n=$2 B
  B=$(bin_dir)
  mkdir -p "$dir/node-$n/mnesia" "$dir/node-$n/log"
  node_environment "$dir" "$n"
  cat > "$dir/node-$n/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_NODE_PORT
stomp.listeners.tcp.1 = 127.0.0.1:$((cluster_stomp + n - 1))
loopback_users = none
CONF
  "$B/rabbitmq-plugins" enable --offline rabbitmq_stomp >/dev/null
  "$B/rabbitmq-server" -detached
  await_port $((cluster_stomp + n - 1))
  "$B/rabbitmqctl" -n "$RABBITMQ_NODENAME" await_startup >/dev/null
}

# Waits until every node of the cluster in DIR counts all three as running: a node that has just
# started again is joined only once the others see it too.
await_cluster() {
  local dir=$1 n B
  B=$(bin_dir)
  for n in 1 2 3; do
    node_environment "$dir" "$n"
    "$B/rabbitmqctl" -n "rabbit-$n@localhost" await_online_nodes 3 --timeout 120 >/dev/null
  done
}

# One line per STOMP ERROR frame a node sent, counted, with the first and the last time: RabbitMQ
# logs the cause it keeps out of the frame ("Server private detail"), e.g. for a "Processing error".
stomp_errors() {
  awk '
    function flush() {
      if (rec != "") {
        gsub(/[ \t]+/, " ", rec)
        if (!(rec in count)) { order[++n] = rec; first[rec] = ts }
        count[rec]++; last[rec] = ts
      }
      rec = ""; pid = ""
    }
    /\[error\] <[0-9.]+> STOMP error frame sent:/ { flush(); pid = $4; ts = $2; rec = "ERROR"; next }
    pid != "" && $3 == "[error]" && $4 == pid { line = $0; sub(/^[^>]*> /, "", line); rec = rec " " line; next }
    { flush() }
    END {
      flush()
      for (i = 1; i <= n; i++) {
        printf "%dx %s..%s %s\n", count[order[i]], substr(first[order[i]], 1, 12), substr(last[order[i]], 1, 12), substr(order[i], 1, 600)
      }
    }' "$1"
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
cluster-start)
  dir=$(realpath -m "${2:?$usage}")
  mkdir -p "$dir/log"
  ERL_EPMD_PORT="$cluster_epmd" epmd -address 127.0.0.1 -port "$cluster_epmd" >"$dir/log/epmd.log" 2>&1 &
  echo $! > "$dir/epmd.pid"
  B=$(bin_dir)
  for n in 1 2 3; do
    node_start "$dir" "$n"
  done
  for n in 2 3; do
    node_environment "$dir" "$n"
    "$B/rabbitmqctl" -n "rabbit-$n@localhost" stop_app >/dev/null
    "$B/rabbitmqctl" -n "rabbit-$n@localhost" join_cluster rabbit-1@localhost >/dev/null
    "$B/rabbitmqctl" -n "rabbit-$n@localhost" start_app >/dev/null
    await_port $((cluster_stomp + n - 1))
  done
  await_cluster "$dir"
  node_environment "$dir" 1
  running=$("$B/rabbitmqctl" -n rabbit-1@localhost eval 'length(rabbit_nodes:all_running()).' 2>/dev/null || echo "?")
  echo "rabbitmq cluster up: $running nodes running, stomp 127.0.0.1:$cluster_stomp-$((cluster_stomp + 2)) (state in $dir)"
  ;;
node-kill)
  dir=$(realpath -m "${2:?$usage}"); n=${3:?$usage}
  pid=$(cat "$dir/node-$n/rabbit.pid")
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  echo "rabbit-$n killed (pid $pid)"
  ;;
node-start)
  dir=$(realpath -m "${2:?$usage}"); n=${3:?$usage}
  node_start "$dir" "$n"
  await_cluster "$dir"
  echo "rabbit-$n up: stomp 127.0.0.1:$((cluster_stomp + n - 1))"
  ;;
errors)
  shift
  for dir in "$@"; do
    for log in "$dir"/log/rabbit*@localhost.log "$dir"/node-*/log/rabbit-*@localhost.log; do
      if [ -f "$log" ]; then
        echo "== STOMP errors in $log (last 30 kinds)"
        stomp_errors "$log" | tail -30
      fi
    done
  done
  ;;
cluster-stop)
  dir=$(realpath -m "${2:?$usage}")
  B=$(bin_dir)
  for n in 3 2 1; do
    if [ -f "$dir/node-$n/rabbit.pid" ]; then
      node_environment "$dir" "$n"
      pid=$(cat "$dir/node-$n/rabbit.pid")
      "$B/rabbitmqctl" -n "rabbit-$n@localhost" stop "$dir/node-$n/rabbit.pid" >/dev/null 2>&1 || kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  if [ -f "$dir/epmd.pid" ]; then
    kill "$(cat "$dir/epmd.pid")" 2>/dev/null || true
  fi
  echo "rabbitmq cluster stopped"
  ;;
*)
  echo "$usage" >&2
  exit 2
  ;;
esac
