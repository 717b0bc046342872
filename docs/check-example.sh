#!/bin/sh
# The docs/admin.md's example of `kubelet-wrapperctl check` ("Checking a unit
# before rollout"): writes the example unit, its drop-in and environment
# file, checks the unit, corrects it as the docs/admin.md says and checks again.
#
#   sudo docs/check-example.sh     (kubelet-wrapperctl in PATH)
#
# Everything happens in a private mount namespace: /etc/systemd/system,
# /etc/kubernetes and /mnt are fresh tmpfs there, and /usr/lib and
# /var/lib overlays whose changes go to /mnt (for a /usr/lib/modules on
# machines without one, and the /var/lib/containerd a node's containerd
# has made), so nothing on the host changes. tests/check.rs runs this script and compares its output with
# the docs/admin.md.
set -eu
if [ "${1:-}" != --inside ]; then
  exec unshare -m "$0" --inside
fi
mount --make-rprivate /
mount -t tmpfs kw-example /etc/systemd/system
mkdir -p /etc/kubernetes
mount -t tmpfs kw-example /etc/kubernetes
mount -t tmpfs kw-example /mnt
mkdir -p /mnt/up /mnt/work
mount -t overlay kw-example -o lowerdir=/usr/lib,upperdir=/mnt/up,workdir=/mnt/work /usr/lib
mkdir -p /usr/lib/modules
mkdir -p /mnt/var-up /mnt/var-work
mount -t overlay kw-example -o lowerdir=/var/lib,upperdir=/mnt/var-up,workdir=/mnt/var-work /var/lib
mkdir -p /var/lib/containerd
# as systemd leaves a node's mounts at boot (the copies in this namespace
# are peers of nothing on the host)
mount --make-rshared /

unit=/etc/systemd/system/kubelet.service
mkdir -p "$unit.d"
cat > "$unit" <<'UNIT'
[Unit]
Description=Kubernetes kubelet
Wants=network-online.target
After=network-online.target

[Service]
Environment=KUBELET_IMAGE_TAG=v1.25.4
Environment=RKT_RUN_ARGS=--uuid-file-save=/var/lib/coreos/kubelet-wrapper.uuid --volume dns,kind=host,source=/etc/resolv.conf --mount volume=dns,target=/etc/resolv.conf
EnvironmentFile=-/etc/kubernetes/kubelet.env
ExecStart=/usr/lib/coreos/kubelet-wrapper \
  --kubeconfig=/etc/kubernetes/kubeconfig \
  --config=/etc/kubernetes/kubelet.yaml \
  $KUBELET_EXTRA_ARGS
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
cat > "$unit.d/20-cni.conf" <<'UNIT'
[Service]
Environment="RKT_OPTS=--volume cni-bin,kind=host,source=/opt/cni/bin"
Environment=KUBELET_IMAGE_TAGS=v1.26.1
UNIT
cat > /etc/kubernetes/kubelet.env <<'UNIT'
# node-specific kubelet flags
KUBELET_EXTRA_ARGS="--node-labels=role=worker --v=2"
UNIT

cd /
check() {
  echo "\$ kubelet-wrapperctl check --unit $unit --release 3000.0.0"
  kubelet-wrapperctl check --unit "$unit" --release 3000.0.0 || echo "(exit status $?)"
}
check

# the corrections
sed -i 's|^Environment=RKT_RUN_ARGS=.*|Environment="RKT_RUN_ARGS=--volume dns,kind=host,source=/etc/resolv.conf --mount volume=dns,target=/etc/resolv.conf"|' "$unit"
printf '[Service]\nEnvironment=KUBELET_IMAGE_TAG=v1.26.1\n' > "$unit.d/20-cni.conf"
echo
check
