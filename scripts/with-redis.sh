#!/usr/bin/env bash
# Runs a command with a throw-away redis-server on a loopback port, for the
# tests of notify/redisdedup, which need a real Redis (never a mock).
#
#   scripts/with-redis.sh go test ./...
#
# - WECHATPAY_TEST_REDIS_ADDR already set: that Redis is used as is.
# - redis-server on the PATH: one is started on 127.0.0.1 (a free port, no
#   persistence), its address exported, and it is stopped afterwards.
# - neither: the command runs and the Redis tests skip; this script says so.
#   Under CI (CI=true) that is an error instead: CI never skips them.
set -euo pipefail

if [ -n "${WECHATPAY_TEST_REDIS_ADDR:-}" ]; then
	echo "redis: using $WECHATPAY_TEST_REDIS_ADDR for the Redis tests"
	exec "$@"
fi
if ! command -v redis-server >/dev/null 2>&1; then
	if [ -n "${CI:-}" ]; then
		echo "redis: redis-server is not installed; CI must run the Redis tests (.ci/run installs it)" >&2
		exit 1
	fi
	echo "redis: redis-server is not on the PATH: the Redis tests (notify/redisdedup) are SKIPPED (apt-get install redis-server to run them)"
	exec "$@"
fi

dir=$(mktemp -d)
port=""
for _ in $(seq 20); do
	p=$((20000 + RANDOM % 20000))
	if redis-server --bind 127.0.0.1 --port "$p" --save '' --appendonly no \
		--daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null 2>&1; then
		for _ in $(seq 50); do
			if [ -s "$dir/redis.pid" ] && redis-cli -h 127.0.0.1 -p "$p" ping >/dev/null 2>&1; then
				port=$p
				break 2
			fi
			sleep 0.1
		done
	fi
done
if [ -z "$port" ]; then
	echo "redis: could not start redis-server on a loopback port:" >&2
	cat "$dir/redis.log" >&2 || true
	exit 1
fi
stop() {
	if [ -s "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
	rm -rf "$dir"
}
trap stop EXIT
export WECHATPAY_TEST_REDIS_ADDR="127.0.0.1:$port"
echo "redis: started redis-server on $WECHATPAY_TEST_REDIS_ADDR for the Redis tests"
"$@"
