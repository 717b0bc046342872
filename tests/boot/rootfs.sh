#!/bin/sh
# Builds, once per run of tests/boot.rs, the Debian system every booted
# node starts from: a bookworm rootfs from mmdebstrap with systemd (PID 1),
# dbus, podman, runc, containerd, docker.io (20.10), iptables and
# ca-certificates (CoreOS's releases mount /etc/ssl/certs), configured for
# this kind of machine, with the images of tests/node/images.sh already in the engines'
# stores (as an admin would have pulled them). Nothing of the project is in
# it: each node gets its /usr from os-overlay/install.sh (tests/boot.rs).
#
# Usage: rootfs.sh OUT_DIR IMAGES_DIR RKT_TAG PODMAN_TAG
#   OUT_DIR/rootfs   the tree (about 610 MB); OUT_DIR/ready when complete
#
# docker.service and docker.socket are disabled here: only the nodes of a
# docker release enable docker.socket (tests/boot.rs), as its image
# would; the other nodes boot without a dockerd.
#
# What this machine needs, and a real node would not:
#   - systemd.conf: DefaultTimeoutStopSec=10s (a unit that does not stop
#     holds a reboot for 90 s), ShowStatus=no (PID 1 writing its status to
#     the console once hung a reboot)
#   - containers.conf: runc (crun fails on the hybrid cgroups here) and
#     explicit ulimits (podman's defaults fail under runc)
#   - containerd: restrict_oom_score_adj (root cannot lower oom_score_adj
#     here), a local pause image, no registry
#   - kw-cgroup-rw.service: nspawn mounts the cgroup v1 controllers
#     read-only; the kubelet, containerd and runc create cgroups in them
#   - docker's daemon.json: a default runtime of its own,
#     /usr/local/bin/kw-runc-caps (tests/node/runc-caps.sh): runc without
#     the capabilities this host's bounding set lacks. docker 20.10's
#     --privileged asks for every capability it knows, and runc fails
#     ("unable to apply caps") where the bounding set lacks one (this kind
#     of machine lacks CAP_SYS_RESOURCE); podman leaves them out itself.
#     And no bridge, no iptables rules, no IP forwarding: the kubelet's
#     container uses the node's network, and nspawn, which is not told
#     that the node has a network namespace of its own, mounts
#     /proc/sys read-only (dockerd fails: "Enabling IP forwarding failed")
set -eu
out=$1 images=$2 rkt_tag=$3 podman_tag=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$out/rootfs
rm -rf "$out"
mkdir -p "$out"

mmdebstrap --quiet --mode=root --variant=minbase \
  --include=systemd,systemd-sysv,dbus,podman,runc,containerd,docker.io,iptables,ca-certificates \
  bookworm "$root" > "$out/mmdebstrap.log" 2>&1 || {
  cat "$out/mmdebstrap.log" >&2
  exit 1
}

mkdir -p "$root/etc/systemd/system.conf.d"
cat > "$root/etc/systemd/system.conf.d/10-kw-node.conf" <<'EOF'
[Manager]
DefaultTimeoutStopSec=10s
ShowStatus=no
EOF
cat > "$root/etc/containers/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
EOF
mkdir -p "$root/etc/containerd"
cat > "$root/etc/containerd/config.toml" <<'TOML'
version = 2
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/kw-pause:node"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
TOML
cat > "$root/etc/systemd/system/kw-cgroup-rw.service" <<'EOF'
[Unit]
Description=Make the cgroup controllers writable (systemd-nspawn mounts them read-only)
DefaultDependencies=no
Before=sysinit.target containerd.service kubelet.service
ConditionVirtualization=container

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'for d in /sys/fs/cgroup/*/; do mount -o remount,bind,rw "$d"; done'

[Install]
WantedBy=sysinit.target
EOF
ln -s /etc/systemd/system/kw-cgroup-rw.service "$root/etc/systemd/system/sysinit.target.wants/kw-cgroup-rw.service"
systemctl --root="$root" --quiet disable docker.service docker.socket
install -D -m 0755 "$here/../node/runc-caps.sh" "$root/usr/local/bin/kw-runc-caps"
mkdir -p "$root/etc/docker"
cat > "$root/etc/docker/daemon.json" <<'EOF'
{
  "runtimes": { "kw-runc-caps": { "path": "/usr/local/bin/kw-runc-caps" } },
  "default-runtime": "kw-runc-caps",
  "bridge": "none",
  "iptables": false,
  "ip-forward": false
}
EOF
echo kw-node > "$root/etc/hostname"
printf '127.0.0.1 localhost\n192.0.2.10 kw-node\n' > "$root/etc/hosts"
# no name server: a lookup fails at once, and no query leaves the node
rm -f "$root/etc/resolv.conf"
echo 'nameserver 127.0.0.1' > "$root/etc/resolv.conf"
echo 0123456789abcdef0123456789abcdef > "$root/etc/machine-id"
mkdir -p "$root/usr/lib/modules"
# a persistent journal, as CoreOS has: the previous boot's stays readable
mkdir -p "$root/var/log/journal"

# The images, into the engines' stores on /var, in a container of the tree
# itself (the node's own podman, containerd, dockerd and the kit's rkt),
# with a network of its own (dockerd sets up its network at start).
cp "$here/prepare.sh" "$root/kw-prepare.sh"
# (the inner script expands its own arguments)
# shellcheck disable=SC2016
unshare --mount --propagation private sh -c '
  mount -t tmpfs kw-boot /run/systemd 2>/dev/null || true
  exec systemd-nspawn --quiet --register=no --keep-unit --pipe \
    --capability=all --system-call-filter=@keyring --private-network \
    --bind-ro="$2:/opt/kw-images" -D "$1" /bin/sh /kw-prepare.sh "$3" "$4"
' sh "$root" "$images" "$rkt_tag" "$podman_tag" > "$out/prepare.log" 2>&1 || {
  cat "$out/prepare.log" >&2
  exit 1
}
rm -f "$root/kw-prepare.sh"
: > "$out/ready"  # the harness writes into it what made the rootfs
