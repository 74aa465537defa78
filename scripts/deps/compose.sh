# Sourced by scripts/test: the compose engine's real runs. podman (with runc, which the
# tests' containers.conf selects) runs the containers, podman-compose (test extras) reads
# the generated compose files, and busybox-static is what the test images are built from.
apt_install podman runc busybox-static
