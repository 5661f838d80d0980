#!/bin/sh
# Regenerates the key fixtures of src/keys/*_test.c with ssh-keygen (run
# once; the tests hold the fingerprints printed at the end as literals, so
# after a new run those literals must be updated too).
#   NAME        private key, OpenSSH format (openssh-key-v1)
#   NAME.pub    public key line
#   NAME.pem    the same private key in PEM (RSA/ECDSA only), for the tests
#               to make signatures with libcrypto
set -eu
cd "$(dirname "$0")"
rm -f ed25519 ed25519_pass rsa3072 rsa1024 ecdsa256 ecdsa384 ecdsa521 ./*.pub ./*.pem
ssh-keygen -q -t ed25519 -N "" -C "hostsd-test-ed25519" -f ed25519
ssh-keygen -q -t ed25519 -N "secret" -C "hostsd-test-ed25519-pass" -f ed25519_pass
ssh-keygen -q -t rsa -b 3072 -N "" -C "hostsd-test-rsa3072" -f rsa3072
ssh-keygen -q -t rsa -b 1024 -N "" -C "hostsd-test-rsa1024" -f rsa1024
for b in 256 384 521; do
	ssh-keygen -q -t ecdsa -b $b -N "" -C "hostsd-test-ecdsa$b" -f ecdsa$b
done
for k in rsa3072 ecdsa256 ecdsa384 ecdsa521; do
	cp $k $k.pem
	ssh-keygen -q -p -N "" -m PEM -f $k.pem >/dev/null
	rm -f $k.pem.pub
done
chmod 600 ed25519 ed25519_pass rsa3072 rsa1024 ecdsa256 ecdsa384 ecdsa521 ./*.pem
for k in ed25519 ed25519_pass rsa3072 rsa1024 ecdsa256 ecdsa384 ecdsa521; do
	ssh-keygen -l -E sha256 -f $k.pub
done
