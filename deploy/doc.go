// Package deploy holds what an operator needs to run adscan on a cluster:
// Kubernetes manifests, systemd units, a docker-compose file with its
// Dockerfile, and a Grafana dashboard. It has no code; its tests check the
// files against the program: every YAML and JSON file parses, every metric
// the dashboard queries is one adscan registers, and every adscan command
// line, flag and ADSCAN_* variable in these files exists.
package deploy
