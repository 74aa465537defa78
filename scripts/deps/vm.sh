# Sourced by scripts/test: the VM engines' real runs (Ansible over SSH to sshd on 127.0.0.1),
# nginx -t on the generated sites, systemd-analyze on the generated units.
apt_install openssh-server ansible nginx systemd
