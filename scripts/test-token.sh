#!/usr/bin/env bash
# Makes a test signing token in DIR, as a CA would issue one to an official: a test CA
# (openssl), a signer's RSA key and certificate from it, both on a SoftHSM2 token
# labelled "Quorum thử nghiệm" with user PIN 1234, and in DIR/signer.p12 (password
# "mật khẩu 1", with the CA's certificate) for signing without a token. Prints the
# SOFTHSM2_CONF to use.
# The CA's certificate is DIR/ca.pem; the signer is "Nguyễn Văn An, UBND quận Sông Hàn".
set -euo pipefail
dir=$1
module=/usr/lib/softhsm/libsofthsm2.so
mkdir -p "$dir/tokens"
cd "$dir"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\n' "$PWD" > softhsm2.conf
export SOFTHSM2_CONF=$PWD/softhsm2.conf

openssl req -x509 -utf8 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
  -subj "/CN=Quorum Test CA/O=Ban Cơ yếu thử nghiệm" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\n' > signer.ext
openssl req -utf8 -newkey rsa:2048 -nodes -keyout signer.key -out signer.csr \
  -subj "/CN=Nguyễn Văn An/O=UBND quận Sông Hàn" 2>/dev/null
openssl x509 -req -in signer.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out signer.pem \
  -days 365 -extfile signer.ext 2>/dev/null

openssl pkcs12 -export -inkey signer.key -in signer.pem -certfile ca.pem \
  -passout "pass:mật khẩu 1" -out signer.p12

softhsm2-util --init-token --free --label "Quorum thử nghiệm" --pin 1234 --so-pin 5678 >/dev/null
softhsm2-util --import signer.key --token "Quorum thử nghiệm" --label signer --id 01 --pin 1234 >/dev/null
# The certificates go on as a token's own tool puts them: the signer's beside its key
# (id 01), the CA's after it.
for cert in signer:01 ca:02; do
  openssl x509 -in "${cert%%:*}.pem" -outform DER -out "${cert%%:*}.der"
  pkcs11-tool --module "$module" --token-label "Quorum thử nghiệm" --login --pin 1234 \
    --write-object "${cert%%:*}.der" --type cert --id "${cert##*:}" --label "${cert%%:*}" >/dev/null
done
echo "$SOFTHSM2_CONF"
