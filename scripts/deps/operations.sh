# Sourced by scripts/test: validators for the configuration, backup, recovery and monitoring
# families. promtool (prometheus) checks scrape configs, rules and rule unit tests; amtool
# (prometheus-alertmanager) the Alertmanager configuration and its routes;
# prometheus-blackbox-exporter --config.check the probe modules; restic runs the real backup
# round trip; systemd provides systemd-analyze for the timer units; jq reads JSON secrets.
apt_install prometheus prometheus-alertmanager prometheus-blackbox-exporter restic systemd jq
