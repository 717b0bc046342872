#!/bin/sh
# Run once in the booted nodes' rootfs (tests/boot/rootfs.sh), with the
# images of tests/node/images.sh at /opt/kw-images: puts them where an
# admin's pulls would have, on /var.
#   - containerd: the pods' images (the CRI's sandbox image and busybox)
#   - podman: the kubelet as 3000.0.0's default image, and as the CoreOS
#     image an admin's rkt unit names (what an update's podman would pull)
#   - docker: the kubelet as 3033.2.0's default image (`docker import`), by
#     a dockerd configured as the node's docker.service runs it
#     (containerd's socket, /etc/docker/daemon.json)
#   - rkt: the kubelet's appc image in rkt's store (rkt fetch)
# Usage: prepare.sh RKT_TAG PODMAN_TAG
set -eu
img=/opt/kw-images
rkt_tag=$1 podman_tag=$2

containerd > /var/log/kw-prepare-containerd.log 2>&1 &
containerd=$!
i=0
until ctr version > /dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -lt 200 ] || { echo "containerd did not start" >&2; exit 1; }
  sleep 0.05
done
ctr -n k8s.io images import "$img/pods.tar" > /dev/null

dockerd --containerd=/run/containerd/containerd.sock > /var/log/kw-prepare-dockerd.log 2>&1 &
dockerd=$!
i=0
until docker version > /dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -lt 400 ] || { cat /var/log/kw-prepare-dockerd.log >&2; echo "dockerd did not start" >&2; exit 1; }
  sleep 0.05
done
docker import "$img/kubelet-rootfs.tar" "quay.io/poseidon/kubelet:$podman_tag" > /dev/null
kill "$dockerd"
wait "$dockerd" || true
rm -f /var/log/kw-prepare-dockerd.log

kill "$containerd"
wait "$containerd" || true
rm -f /var/log/kw-prepare-containerd.log

podman import -q "$img/kubelet-rootfs.tar" "quay.io/poseidon/kubelet:$podman_tag" > /dev/null
podman tag "quay.io/poseidon/kubelet:$podman_tag" "quay.io/coreos/hyperkube:$rkt_tag"

"$img/kit/rkt" fetch --insecure-options=image "$img/kubelet.aci" > /dev/null
