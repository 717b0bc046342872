#!/bin/sh
# The runtime dockerd runs containers with in the real-node cases and on
# the booted node (tests/boot/rootfs.sh, as kw-runc-caps): runc,
# after taking out of the container's config the capabilities that this
# host's bounding set does not hold. docker 20.10's --privileged asks for
# every capability it knows, and runc fails ("unable to apply caps:
# operation not permitted") on a host whose bounding set lacks one (this
# kind of machine lacks CAP_SYS_RESOURCE); podman leaves them out itself.
# Registered with `dockerd --add-runtime kw-runc=THIS --default-runtime
# kw-runc` (tests/node/case.sh), or in /etc/docker/daemon.json's
# "runtimes" and "default-runtime". Every other runc call passes unchanged.
set -eu
bundle=
prev=
for a in "$@"; do
  case $prev in --bundle | -b) bundle=$a ;; esac
  case $a in --bundle=*) bundle=${a#--bundle=} ;; esac
  prev=$a
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  bounding=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
  i=0
  # capability(7) numbers 0 to 40, in order
  for cap in CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID \
    SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN \
    NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE \
    SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG \
    MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG \
    WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE; do
    if [ $(((0x$bounding >> i) & 1)) -eq 0 ]; then
      sed -i "s/,\"CAP_$cap\"//g; s/\"CAP_$cap\",//g; s/\"CAP_$cap\"//g" "$bundle/config.json"
    fi
    i=$((i + 1))
  done
fi
exec /usr/sbin/runc "$@"
