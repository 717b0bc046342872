#!/bin/sh
# One boot of a node: systemd as PID 1 in systemd-nspawn --boot, on the
# tree of tests/boot/rootfs.sh.
#
# Usage: node.sh BASE NODE USR
#   BASE  the rootfs (read-only lower layer of /, and of /usr)
#   NODE  the node's directory: root-up/ (the node's writes to / land
#         here: /etc), var/ (its /var, a directory on disk: the engines'
#         overlay storage cannot be on an overlay), and the logs
#   USR   a tree whose usr/ is laid over BASE/usr, read-only, as the OS
#         release's /usr (what os-overlay/install.sh installed, the kit's
#         rkt): an update swaps it, as an update swaps a CoreOS /usr
#
# On the host it only creates one cgroup directory per hierarchy
# (kw-boot-PID, listed in NODE/cgroups) and moves itself there, so that the
# node's cgroup namespace is rooted there in every hierarchy (cgroup v2
# included); then in new mount and network namespaces:
#   - a tmpfs over /run/systemd (this host's systemd is not PID 1, and
#     systemd-nspawn must not think it is)
#   - lo, and a veth pair with a documentation address (192.0.2.10, never
#     routed) as the node's network; the name server is 127.0.0.1
#   - / an overlay (BASE, NODE/root-up), /usr a read-only overlay (USR/usr
#     over BASE/usr), /var bound from NODE/var
# and execs systemd-nspawn --boot, which runs until the node powers off
# (exit 0) or reboots (exit 133, as systemd-nspawn@.service restarts it).
# NODE/console.log has the node's console.
set -eu
base=$1 node=$2 usr=$3

if [ "${KW_BOOT_INSIDE:-}" != 1 ]; then
  : > "$node/cgroups"
  # mountinfo: the fields after "-" are type, source, super options
  awk '{ for (i = 7; $i != "-"; i++); if ($(i+1) ~ /^cgroup2?$/ && $5 ~ /^\/sys\/fs\/cgroup\//) print $5 }' \
    /proc/self/mountinfo > "$node/hierarchies"
  while read -r h; do
    d="$h/kw-boot-$$"
    mkdir "$d"
    echo "$d" >> "$node/cgroups"
    if [ -e "$h/cpuset.cpus" ]; then
      cat "$h/cpuset.cpus" > "$d/cpuset.cpus"
      cat "$h/cpuset.mems" > "$d/cpuset.mems"
    fi
    echo $$ > "$d/cgroup.procs"
  done < "$node/hierarchies"
  KW_BOOT_INSIDE=1 exec unshare --mount --net --propagation private sh "$0" "$@"
fi

mount -t tmpfs -o mode=0755 kw-boot /run/systemd

ip link set lo up
ip link add kw0 type veth peer name kw1
ip addr add 192.0.2.10/24 dev kw0
ip link set kw0 up
ip link set kw1 up
ip route add default via 192.0.2.1 dev kw0

root=$node/root
mkdir -p "$root" "$node/root-up" "$node/root-work"
mount -t overlay kw-boot -o "lowerdir=$base,upperdir=$node/root-up,workdir=$node/root-work" "$root"
mount -t overlay kw-boot -o "lowerdir=$usr/usr:$base/usr" "$root/usr"
mount --bind "$node/var" "$root/var"

# /proc/sys and /sys writable, as on a node: the kubelet's container
# manager sets vm.overcommit_memory, kernel.panic and kernel.panic_on_oops
# where they differ from what it wants, and fails to start ("open
# /proc/sys/vm/overcommit_memory: read-only file system") on the read-only
# ones nspawn mounts by default. Under rkt fly the kubelet sees the node's
# /proc as it is (under podman, --privileged mounts its own read-write),
# so only a kernel whose values a kubelet has not set yet shows it.
export SYSTEMD_NSPAWN_API_VFS_WRITABLE=yes
exec systemd-nspawn --boot --quiet --register=no --keep-unit \
  --directory="$root" --machine=kw-node \
  --capability=all --system-call-filter=@keyring --bind=/dev/kmsg \
  --console=read-only > "$node/console.log" 2>&1
