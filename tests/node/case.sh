#!/bin/sh
# One real-node case: a private host for a kubelet, made of namespaces.
#
# Usage: case.sh SANDBOX IMAGES shared|private [docker]
#
# On the host it only creates one cgroup directory per hierarchy
# (kw-node-PID, listed in SANDBOX/cgroups) and moves itself there; then,
# in new mount, PID, network, UTS, IPC and cgroup namespaces, it builds the
# case's host:
#   - / private first (nothing propagates back to the real host), then
#     `shared` makes it rshared as systemd does at boot, `private` leaves it
#   - /sys and the cgroup hierarchies mounted anew (a cgroup namespace rooted
#     at kw-node-PID: every cgroup the engines make is below it)
#   - /etc and /usr/lib as overlays whose writes land in SANDBOX, tmpfs over
#     /var, /run and /opt: containerd, podman and rkt keep their state there
#   - lo up, and a veth pair (both ends inside) with a documentation
#     address (192.0.2.10, never routed) as the node's address; the name
#     server is 127.0.0.1, where none listens
#   - with `docker`, first a dockerd with its own socket, data root, exec
#     root and pid file (/run/docker.sock, /var/lib/docker, /run/docker,
#     /run/docker.pid: the case's, on its tmpfs), no bridge and no
#     iptables rules (the kubelet's container uses the host's network),
#     and tests/node/runc-caps.sh as its default runtime (runc without the
#     capabilities this host's bounding set lacks); started before the CRI
#     containerd because docker 20.10 adopts a containerd already listening
#     on /run/containerd/containerd.sock instead of starting its own
#   - containerd with its own config, root, state and socket, the pods'
#     images imported
# then writes SANDBOX/ready and becomes the namespace's init (the pause
# program, which reaps orphans). Killing it ends every process of the case;
# the namespaces and their mounts go with them. tests/node/mod.rs removes the
# cgroup directories afterwards.
set -eu
sandbox=$1 images=$2 mode=$3 daemon=${4:-}
here=$(cd "$(dirname "$0")" && pwd)

if [ "${KW_NODE_INSIDE:-}" != 1 ]; then
  : > "$sandbox/cgroups"
  # mountinfo: the fields after "-" are type, source, super options
  awk '{ for (i = 7; $i != "-"; i++); if ($(i+1) ~ /^cgroup2?$/ && $5 ~ /^\/sys\/fs\/cgroup\//) print $(i+1), $5, $(i+3) }' \
    /proc/self/mountinfo > "$sandbox/hierarchies"
  while read -r _ h _; do
    d="$h/kw-node-$$"
    mkdir "$d"
    echo "$d" >> "$sandbox/cgroups"
    if [ -e "$h/cpuset.cpus" ]; then
      cat "$h/cpuset.cpus" > "$d/cpuset.cpus"
      cat "$h/cpuset.mems" > "$d/cpuset.mems"
    fi
    echo $$ > "$d/cgroup.procs"
  done < "$sandbox/hierarchies"
  KW_NODE_INSIDE=1 exec unshare --mount --pid --fork --net --uts --ipc --cgroup \
    --propagation private sh "$0" "$@"
fi

# inside: PID 1's parent shell
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 kw-node /sys/fs/cgroup
while read -r type point opts; do
  mkdir -p "$point"
  if [ "$type" = cgroup2 ]; then
    mount -t cgroup2 cgroup2 "$point"
  else
    o=$(echo "$opts" | tr ',' '\n' | grep -v -x -e rw -e ro | paste -sd,)
    case "$o" in name=*) o="none,$o" ;; esac
    mount -t cgroup -o "$o" cgroup "$point"
  fi
done < "$sandbox/hierarchies"

o="$sandbox/overlay"
mkdir -p "$o/etc-up" "$o/etc-work" "$o/lib-up/modules" "$o/lib-work"
mount -t overlay kw-node -o "lowerdir=/etc,upperdir=$o/etc-up,workdir=$o/etc-work" /etc
mount -t overlay kw-node -o "lowerdir=/usr/lib,upperdir=$o/lib-up,workdir=$o/lib-work" /usr/lib
for d in /var /run /opt; do mount -t tmpfs -o mode=0755 kw-node "$d"; done
# podman's lock table (/dev/shm/libpod_lock) is per node, as on a real host
mount -t tmpfs -o mode=1777 kw-node /dev/shm
mkdir -p /var/tmp /var/log /run/lock
chmod 1777 /var/tmp
# as on the host (and every systemd host): docker's client finds its
# daemon at /var/run/docker.sock
ln -s ../run /var/run
ln -s ../run/lock /var/lock
rm -f /etc/os-release
hostname kw-node
echo kw-node > /etc/hostname
printf '127.0.0.1 localhost\n192.0.2.10 kw-node\n' > /etc/hosts
# no name server: a lookup fails at once, and no query leaves the case
echo 'nameserver 127.0.0.1' > /etc/resolv.conf
[ -e /etc/machine-id ] || echo 0123456789abcdef0123456789abcdef > /etc/machine-id

ip link set lo up
ip link add kw0 type veth peer name kw1
ip addr add 192.0.2.10/24 dev kw0
ip link set kw0 up
ip link set kw1 up
ip route add default via 192.0.2.1 dev kw0

if [ "$mode" = shared ]; then
  mount --make-rshared /
fi

if [ "$daemon" = docker ]; then
  dockerd -H unix:///run/docker.sock --data-root /var/lib/docker \
    --exec-root /run/docker --pidfile /run/docker.pid \
    --bridge=none --iptables=false \
    --add-runtime "kw-runc=$here/runc-caps.sh" --default-runtime kw-runc \
    > "$sandbox/dockerd.log" 2>&1 &
  i=0
  until /usr/bin/docker -H unix:///run/docker.sock version > /dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 400 ] || { echo "dockerd did not start" >&2; exit 1; }
    sleep 0.05
  done
fi

mkdir -p /etc/containerd
cat > /etc/containerd/config.toml <<TOML
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "/run/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/kw-pause:node"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
TOML
containerd --config /etc/containerd/config.toml > "$sandbox/containerd.log" 2>&1 &
i=0
until ctr --address /run/containerd/containerd.sock version > /dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -lt 200 ] || { echo "containerd did not start" >&2; exit 1; }
  sleep 0.05
done
ctr --address /run/containerd/containerd.sock -n k8s.io images import "$images/pods.tar" > /dev/null
touch "$sandbox/ready"
exec "$images/pause"
