#!/usr/bin/env bash
# Installs what the chart expects to find in the cluster: the Strimzi operator (Kafka CRDs,
# kafka.strimzi.io/v1) and kube-prometheus-stack (Prometheus operator CRDs, Grafana). Idempotent:
# creates the kind cluster only if missing and upgrades the operators in place.
#   k8s/bootstrap.sh            # kind cluster "food-ordering" + operators
#   NO_KIND=1 k8s/bootstrap.sh  # operators only, into the current kubectl context
set -euo pipefail
cd "$(dirname "$0")/.."

STRIMZI_VERSION=1.2.0
KPS_VERSION=88.5.3
APP_NAMESPACE=${APP_NAMESPACE:-food-ordering}

need() { command -v "$1" >/dev/null || { echo "bootstrap: '$1' is not on PATH ($2)" >&2; exit 1; }; }
need helm "https://helm.sh/docs/intro/install/"
need kubectl "https://kubernetes.io/docs/tasks/tools/"

if [[ -z "${NO_KIND:-}" ]]; then
  need kind "https://kind.sigs.k8s.io/docs/user/quick-start/"
  if ! kind get clusters | grep -qx food-ordering; then
    kind create cluster --config k8s/kind-config.yaml --wait 120s
  fi
  kubectl config use-context kind-food-ordering
fi

kubectl create namespace "$APP_NAMESPACE" --dry-run=client -o yaml | kubectl apply -f -

# Strimzi watches the application namespace only.
helm upgrade --install strimzi oci://quay.io/strimzi-helm/strimzi-kafka-operator \
  --version "$STRIMZI_VERSION" --namespace strimzi --create-namespace \
  --set "watchNamespaces={$APP_NAMESPACE}" --wait --timeout 10m

# Prometheus picks up monitors and rules labelled release=kube-prometheus-stack (the chart's
# monitoring.releaseLabel); Grafana's sidecar loads ConfigMaps labelled grafana_dashboard=1.
helm upgrade --install kube-prometheus-stack kube-prometheus-stack \
  --repo https://prometheus-community.github.io/helm-charts \
  --version "$KPS_VERSION" --namespace monitoring --create-namespace \
  --set grafana.sidecar.dashboards.searchNamespace=ALL \
  --set alertmanager.enabled=false \
  --wait --timeout 10m

echo "bootstrap: ready. Next: skaffold run  (or see docs/kubernetes.md)"
