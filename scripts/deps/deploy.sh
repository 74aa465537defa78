# Sourced by scripts/test: what the deploy-script tests run (curl and jq for gates, flock
# and setsid from util-linux, tar for releases); shellcheck and kubernetes-validate come
# from the Python test extras.
apt_install curl jq util-linux tar
