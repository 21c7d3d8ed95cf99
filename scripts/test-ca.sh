#!/usr/bin/env bash
# A test CA that publishes a revocation list, as a Vietnamese public CA does, for the
# revocation tests (openssl):
#   test-ca.sh make DIR URL   the CA "Quorum Test CA, Ban Cơ yếu thử nghiệm" (DIR/ca.pem)
#                             and a signer "Trần Thị Bình, UBND phường Hải Châu" whose
#                             certificate names URL as its CRL distribution point
#                             (DIR/signer.p12, password "mật khẩu 1")
#   test-ca.sh revoke DIR     revokes the signer's certificate
#   test-ca.sh crl DIR OUT    writes the CA's current revocation list (DER) to OUT
# Two CAs made in two folders bear the same name with different keys: one can stand in
# for an impostor.
set -euo pipefail
command=$1
dir=$2
config="$dir/ca.cnf"

case "$command" in
  make)
    url=$3
    mkdir -p "$dir/issued"
    : > "$dir/index.txt"
    echo 1000 > "$dir/crlnumber"
    cat > "$config" <<EOF
[ca]
default_ca = test_ca
[test_ca]
dir = $dir
database = \$dir/index.txt
new_certs_dir = \$dir/issued
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
default_days = 365
default_crl_days = 7
policy = any
unique_subject = no
utf8 = yes
string_mask = utf8only
[any]
commonName = supplied
organizationName = optional
[signer]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
crlDistributionPoints = URI:$url
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
    openssl req -x509 -utf8 -newkey rsa:2048 -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" \
      -days 3650 -subj "/CN=Quorum Test CA/O=Ban Cơ yếu thử nghiệm" \
      -config "$config" -extensions root 2>/dev/null
    openssl rand -hex 8 > "$dir/serial"
    openssl req -utf8 -newkey rsa:2048 -nodes -keyout "$dir/signer.key" -out "$dir/signer.csr" \
      -subj "/CN=Trần Thị Bình/O=UBND phường Hải Châu" 2>/dev/null
    openssl ca -batch -config "$config" -extensions signer -in "$dir/signer.csr" \
      -out "$dir/signer.pem" 2>/dev/null
    openssl pkcs12 -export -inkey "$dir/signer.key" -in "$dir/signer.pem" -certfile "$dir/ca.pem" \
      -passout "pass:mật khẩu 1" -out "$dir/signer.p12"
    ;;
  revoke)
    openssl ca -batch -config "$config" -revoke "$dir/signer.pem" 2>/dev/null
    ;;
  crl)
    openssl ca -batch -config "$config" -gencrl -out "$dir/crl.pem" 2>/dev/null
    openssl crl -in "$dir/crl.pem" -outform DER -out "$3"
    ;;
  *)
    echo "test-ca.sh: make DIR URL | revoke DIR | crl DIR OUT" >&2
    exit 2
    ;;
esac
