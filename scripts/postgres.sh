# Sourced by the test command: a private PostgreSQL 15 for the tests that run the hub
# on PostgreSQL, in a temporary folder on a free loopback port, stopped when the
# sourcing shell exits. Not a system service: nothing of it outlives the run.
# Exports QUORUM_TEST_POSTGRES, a URL whose database each test may create others beside,
# and QUORUM_TEST_PG_CA, the certificate authority of the server's TLS certificate.

start_test_postgres() {
  # postgresql-15 is installed by setup.sh.
  local bin=/usr/lib/postgresql/15/bin
  # initdb runs as postgres and writes to /dev/null, which some images leave root's only.
  [[ $(stat -c %a /dev/null) == 666 ]] || chmod 666 /dev/null
  QUORUM_TEST_PG_DIR=$(mktemp -d /tmp/quorum-postgres.XXXXXX)
  chown postgres "$QUORUM_TEST_PG_DIR"
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  su postgres -s /bin/sh -c "$bin/initdb -D $QUORUM_TEST_PG_DIR/data -A trust -U quorum" > /dev/null
  # TLS as a city's database server would speak it: a certificate for 127.0.0.1 from a
  # certificate authority of the run's own, which the hubs are told to trust.
  local pki=$QUORUM_TEST_PG_DIR/pki
  mkdir "$pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=Quorum test database CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign" -keyout "$pki/ca.key" -out "$pki/ca.crt" 2> /dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$pki/server.key" -out "$pki/server.csr" 2> /dev/null
  openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -days 2 \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') \
    -out "$pki/server.crt" 2> /dev/null
  chown postgres "$pki/server.key" "$pki/server.crt"
  chmod 600 "$pki/server.key"
  # synchronous_commit=on and fsync=on, PostgreSQL's defaults, as a city would run it.
  su postgres -s /bin/sh -c "$bin/pg_ctl -D $QUORUM_TEST_PG_DIR/data -l $QUORUM_TEST_PG_DIR/log -w \
    -o '-p $port -k $QUORUM_TEST_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 \
    -c ssl=on -c ssl_cert_file=$pki/server.crt -c ssl_key_file=$pki/server.key' start" > /dev/null
  # The URL the tests connect with themselves; a hub is pointed at a database there with
  # ?sslmode=require&sslrootcert=$QUORUM_TEST_PG_CA.
  export QUORUM_TEST_POSTGRES="postgres://quorum@127.0.0.1:$port/postgres"
  export QUORUM_TEST_PG_CA=$pki/ca.crt
  export QUORUM_TEST_PG_DIR
}

stop_test_postgres() {
  su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/pg_ctl -D $QUORUM_TEST_PG_DIR/data -m immediate stop" > /dev/null 2>&1 || true
  rm -rf "$QUORUM_TEST_PG_DIR"
}
