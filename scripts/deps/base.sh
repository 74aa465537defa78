# Sourced by scripts/test: git for the sync tests' application repositories.
apt_install git
