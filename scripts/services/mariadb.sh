#!/usr/bin/env bash
# Test MariaDB on loopback, in $POOL_TEST_DIR/mariadb (a private datadir; never the system server).
#   start: initialise the datadir (first time), run mariadbd on a free 127.0.0.1 port, wait until it accepts
#          connections, create the test database and user, append POOL_MYSQL_* variables to $POOL_TEST_DIR/env.
#          TLS: a throwaway test CA and a server certificate it signs (subjectAltName IP:127.0.0.1 only) are made
#          with openssl in $dir/tls on first start; the server listens on 127.0.0.1 and 127.0.0.2 (the second
#          address reaches it under a name its certificate does not carry). Exported: POOL_MYSQL_TLS_CA (the CA
#          file), POOL_MYSQL_TLS_WRONG_HOST (127.0.0.2).
#          Starting again after a stop or a crash reuses the datadir and the port.
#   stop:  shut the server down cleanly (SIGKILL only if it does not stop within 30 s).
# Works as root (the server then runs as the `mysql` user) and as an ordinary user.
set -euo pipefail
: "${POOL_TEST_DIR:?POOL_TEST_DIR must be set (scripts/with-test-services.sh sets it)}"
dir="$POOL_TEST_DIR/mariadb"
socket="$dir/run/mysqld.sock"
tls="$dir/tls"
pidfile="$dir/run/mysqld.pid"
database=stakepool_test
user=pool
password=pooltest-pw

find_bin() {
    local name
    for name in "$@"; do
        if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
        if [ -x "/usr/sbin/$name" ]; then echo "/usr/sbin/$name"; return 0; fi
        if [ -x "/usr/bin/$name" ]; then echo "/usr/bin/$name"; return 0; fi
    done
    echo "mariadb.sh: none of [$*] found (apt-get install mariadb-server mariadb-client)" >&2
    return 1
}

# A test CA (valid 2 days) and a server certificate it signs for IP 127.0.0.1; nothing from the system store.
make_tls() {
    [ -s "$tls/server.crt" ] && [ -s "$tls/ca.crt" ] && return 0
    mkdir -p "$tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=hxstakepool test CA" \
        -keyout "$tls/ca.key" -out "$tls/ca.crt" -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tls/server.ext"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
        -extfile "$tls/server.ext" -out "$tls/server.crt" >/dev/null 2>&1
    chmod 600 "$tls/ca.key" "$tls/server.key"
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

server_pid() {
    [ -s "$pidfile" ] || return 1
    local pid
    pid=$(cat "$pidfile")
    kill -0 "$pid" 2>/dev/null || return 1
    # A killed server nobody reaped yet is a zombie: not running.
    if [ -r "/proc/$pid/stat" ] && [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]; then return 1; fi
    echo "$pid"
}

start() {
    local mariadbd install_db client admin run_as=()
    mariadbd=$(find_bin mariadbd mysqld)
    install_db=$(find_bin mariadb-install-db mysql_install_db)
    client=$(find_bin mariadb mysql)
    admin=$(find_bin mariadb-admin mysqladmin)
    mkdir -p "$dir/data" "$dir/run" "$dir/tmp"
    make_tls
    if [ "$(id -u)" = 0 ]; then
        # mariadbd refuses to run as root; run it as the unprivileged account the package created.
        local account=mysql
        id "$account" >/dev/null 2>&1 || account=nobody
        chown -R "$account" "$dir"
        run_as=(--user="$account")
    fi
    if [ -n "$(server_pid || true)" ]; then
        echo "mariadb.sh: already running (pid $(server_pid))"
        return 0
    fi
    if [ ! -d "$dir/data/mysql" ]; then
        "$install_db" --no-defaults --datadir="$dir/data" "${run_as[@]}" --auth-root-authentication-method=normal \
            --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; return 1; }
    fi
    local port
    if [ -s "$dir/port" ]; then
        port=$(cat "$dir/port")
    else
        port=$((20000 + RANDOM % 20000))
        while ! port_is_free "$port"; do port=$((20000 + RANDOM % 20000)); done
        echo "$port" >"$dir/port"
    fi
    # Durability settings are relaxed: this is a throwaway test server (flush once per second, not per commit).
    setsid "$mariadbd" --no-defaults --datadir="$dir/data" --socket="$socket" --pid-file="$pidfile" \
        --port="$port" --bind-address=127.0.0.1,127.0.0.2 --skip-name-resolve "${run_as[@]}" --tmpdir="$dir/tmp" \
        --ssl-ca="$tls/ca.crt" --ssl-cert="$tls/server.crt" --ssl-key="$tls/server.key" \
        --log-error="$dir/error.log" --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci --max-connections=300 \
        --skip-log-bin </dev/null >>"$dir/stdout.log" 2>&1 &
    local deadline=$((SECONDS + 90))
    until "$admin" --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            echo "mariadb.sh: server did not start within 90 s; error log:" >&2
            tail -n 30 "$dir/error.log" >&2 || true
            return 1
        fi
        sleep 0.2
    done
    "$client" --no-defaults --socket="$socket" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`$database\` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO '$user'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO '$user'@'%';
FLUSH PRIVILEGES;
SQL
    if ! grep -q "^POOL_MYSQL_DSN=" "$POOL_TEST_DIR/env" 2>/dev/null; then
        cat >>"$POOL_TEST_DIR/env" <<ENV
POOL_MYSQL_DSN=mysql://$user:$password@127.0.0.1:$port/$database
POOL_MYSQL_HOST=127.0.0.1
POOL_MYSQL_PORT=$port
POOL_MYSQL_USER=$user
POOL_MYSQL_PASSWORD=$password
POOL_MYSQL_DATABASE=$database
POOL_MYSQL_SOCKET=$socket
POOL_MYSQL_TLS_CA=$tls/ca.crt
POOL_MYSQL_TLS_WRONG_HOST=127.0.0.2
ENV
    fi
    echo "mariadb.sh: MariaDB on 127.0.0.1:$port (pid $(server_pid || echo '?'))"
}

stop() {
    local pid admin
    pid=$(server_pid || true)
    [ -n "$pid" ] || return 0
    admin=$(find_bin mariadb-admin mysqladmin)
    "$admin" --no-defaults --socket="$socket" -uroot shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while server_pid >/dev/null; do
        if [ $SECONDS -ge $deadline ]; then kill -KILL "$pid" 2>/dev/null || true; break; fi
        sleep 0.1
    done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
