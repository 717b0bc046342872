#!/bin/sh
# Builds, once per test run, the images every real-node case shares, from
# the node kit and Debian's busybox-static:
#   kit/                 rkt, kubelet, stage1-fly.aci (unpacked from the kit)
#   kubelet-rootfs.tar   the kubelet's image for podman (`podman import`):
#                        the kit's kubelet at /usr/local/bin/kubelet and at
#                        /kubelet (the historical releases' --exec), and
#                        busybox for the mount, du and find it runs
#   kubelet.aci          the same rootfs as an appc image for rkt, named
#                        quay.io/coreos/hyperkube, version TAG
#   pause                tests/node/pause.c, static: each case's init
#   pods.tar             a docker-archive for `ctr images import` with two
#                        tags on one layer (busybox and tests/node/pause.c):
#                        localhost/kw-pause:node (the sandbox image) and
#                        localhost/kw-busybox:node (the pods' image)
# Usage: images.sh KIT_DIR OUT_DIR TAG
set -eu
kit=$1 out=$2 tag=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out/kit" "$out/work"
xz -dc "$kit/rkt.xz" > "$out/kit/rkt"
xz -dc "$kit/kubelet.xz" > "$out/kit/kubelet"
chmod 0755 "$out/kit/rkt" "$out/kit/kubelet"
cp "$kit/stage1-fly.aci" "$out/kit/stage1-fly.aci"

busybox_root() {
  mkdir -p "$1/bin" "$1/etc" "$1/tmp" "$1/var" "$1/run" "$1/proc" "$1/sys" "$1/dev"
  chmod 1777 "$1/tmp"
  cp /bin/busybox "$1/bin/busybox"
  for a in sh mount umount du find nice ionice cat ls grep sleep echo test mkdir touch; do
    ln -s busybox "$1/bin/$a"
  done
  ln -s bin "$1/sbin"
}

# the kubelet's image
k="$out/work/kubelet"
busybox_root "$k/rootfs"
mkdir -p "$k/rootfs/usr/local/bin"
cp "$out/kit/kubelet" "$k/rootfs/usr/local/bin/kubelet"
ln -s usr/local/bin/kubelet "$k/rootfs/kubelet"
tar -C "$k/rootfs" -cf "$out/kubelet-rootfs.tar" .
cat > "$k/manifest" <<JSON
{"acKind":"ImageManifest","acVersion":"0.8.11","name":"quay.io/coreos/hyperkube",
 "labels":[{"name":"version","value":"$tag"},{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}],
 "app":{"exec":["/kubelet"],"user":"0","group":"0"}}
JSON
tar -C "$k" -cf "$out/kubelet.aci" manifest rootfs

# the pods' images
p="$out/work/pods"
busybox_root "$p/rootfs"
gcc -static -O2 -o "$out/pause" "$here/pause.c"
cp "$out/pause" "$p/rootfs/pause"
tar -C "$p/rootfs" -cf "$p/layer.tar" .
diff_id=$(sha256sum "$p/layer.tar" | cut -d' ' -f1)
mkdir -p "$p/archive"
mv "$p/layer.tar" "$p/archive/layer.tar"
config() { # NAME ENTRYPOINT_JSON
  printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":%s,"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$2" "$diff_id" > "$p/archive/$1.json"
}
config pause '["/pause"]'
config busybox 'null'
printf '[{"Config":"pause.json","RepoTags":["localhost/kw-pause:node"],"Layers":["layer.tar"]},{"Config":"busybox.json","RepoTags":["localhost/kw-busybox:node"],"Layers":["layer.tar"]}]' > "$p/archive/manifest.json"
tar -C "$p/archive" -cf "$out/pods.tar" manifest.json pause.json busybox.json layer.tar
rm -rf "$out/work"
