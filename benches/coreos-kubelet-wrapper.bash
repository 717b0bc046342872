#!/bin/bash
# The shell baseline of the whole-process benchmark: the work the CoreOS
# /usr/lib/coreos/kubelet-wrapper script did on release 2512.x (spec
# sections 2 to 4): deprecation notices, aliases, the image reference, the
# trust flag from the image's text before its first `/`, four
# `mkdir --parents` (one process each), `set -x` for the trace line, and
# `exec` of the engine with the kubelet's flags after `--`. Only bash builtins
# apart from the four mkdir, so it is if anything cheaper than the original.

if [[ -n "${KUBELET_VERSION}" ]]; then
	echo KUBELET_VERSION environment variable is deprecated, please use KUBELET_IMAGE_TAG instead
fi
if [[ -n "${KUBELET_ACI}" ]]; then
	echo KUBELET_ACI environment variable is deprecated, please use KUBELET_IMAGE_URL instead
fi
if [[ -n "${RKT_OPTS}" ]]; then
	echo RKT_OPTS environment variable is deprecated, please use RKT_RUN_ARGS instead
fi

KUBELET_IMAGE_TAG="${KUBELET_IMAGE_TAG:-${KUBELET_VERSION}}"
if [[ -z "${KUBELET_IMAGE}" && -z "${KUBELET_IMAGE_TAG}" ]]; then
	echo One of KUBELET_IMAGE KUBELET_IMAGE_TAG must be set
	exit 1
fi

KUBELET_IMAGE_URL="${KUBELET_IMAGE_URL:-${KUBELET_ACI:-docker://quay.io/coreos/hyperkube}}"
KUBELET_IMAGE="${KUBELET_IMAGE:-${KUBELET_IMAGE_URL}:${KUBELET_IMAGE_TAG}}"

RKT_RUN_ARGS="${RKT_RUN_ARGS} ${RKT_OPTS}"
case "${KUBELET_IMAGE%%/*}" in
quay.io) RKT_RUN_ARGS="${RKT_RUN_ARGS} --trust-keys-from-https" ;;
docker:) RKT_RUN_ARGS="${RKT_RUN_ARGS} --insecure-options=image" ;;
esac

mkdir --parents /etc/kubernetes
mkdir --parents /var/lib/docker
mkdir --parents /var/lib/kubelet
mkdir --parents /run/kubelet

RKT="${RKT:-/usr/bin/rkt}"
RKT_STAGE1_ARG="${RKT_STAGE1_ARG:---stage1-from-dir=stage1-fly.aci}"
KUBELET_IMAGE_ARGS="${KUBELET_IMAGE_ARGS:---exec=/kubelet}"

set -x
# Unquoted on purpose: the original split these variables into words.
# shellcheck disable=SC2086
exec ${RKT} ${RKT_GLOBAL_ARGS} \
	run ${RKT_RUN_ARGS} \
	--volume coreos-etc-kubernetes,kind=host,source=/etc/kubernetes,readOnly=false \
	--volume coreos-etc-ssl-certs,kind=host,source=/etc/ssl/certs,readOnly=true \
	--volume coreos-usr-share-certs,kind=host,source=/usr/share/ca-certificates,readOnly=true \
	--volume coreos-var-lib-docker,kind=host,source=/var/lib/docker,readOnly=false \
	--volume coreos-var-lib-kubelet,kind=host,source=/var/lib/kubelet,readOnly=false,recursive=true \
	--volume coreos-var-log,kind=host,source=/var/log,readOnly=false \
	--volume coreos-os-release,kind=host,source=/usr/lib/os-release,readOnly=true \
	--volume coreos-run,kind=host,source=/run,readOnly=false \
	--volume coreos-lib-modules,kind=host,source=/lib/modules,readOnly=true \
	--volume coreos-etc-machine-id,kind=host,source=/etc/machine-id,readOnly=true \
	--mount volume=coreos-etc-kubernetes,target=/etc/kubernetes \
	--mount volume=coreos-etc-ssl-certs,target=/etc/ssl/certs \
	--mount volume=coreos-usr-share-certs,target=/usr/share/ca-certificates \
	--mount volume=coreos-var-lib-docker,target=/var/lib/docker \
	--mount volume=coreos-var-lib-kubelet,target=/var/lib/kubelet \
	--mount volume=coreos-var-log,target=/var/log \
	--mount volume=coreos-os-release,target=/etc/os-release \
	--mount volume=coreos-run,target=/run \
	--mount volume=coreos-lib-modules,target=/lib/modules \
	--mount volume=coreos-etc-machine-id,target=/etc/machine-id \
	--hosts-entry host \
	${RKT_STAGE1_ARG} \
	${KUBELET_IMAGE} \
	${KUBELET_IMAGE_ARGS} \
	-- "$@"
