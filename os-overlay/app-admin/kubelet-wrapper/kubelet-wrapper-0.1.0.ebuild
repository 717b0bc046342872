# Copyright 2026 the kubelet-wrapper authors
# Distributed under the terms of the Apache License, Version 2.0

# kubelet-wrapper: the program the OS image ships at
# /usr/lib/coreos/kubelet-wrapper, pinned to the image's release.
# os-overlay/README.md says how an image build uses this ebuild.

EAPI=8

# Cargo.lock's registry packages. tests/overlay.rs fails when this list and
# Cargo.lock disagree, and prints the list to paste here.
CRATES="
	anstream@1.0.0
	anstyle@1.0.14
	anstyle-parse@1.0.0
	anstyle-query@1.1.5
	anstyle-wincon@3.0.11
	autocfg@1.5.1
	bitflags@2.13.2
	cfg-if@1.0.5
	chacha20@0.10.2
	clap@4.6.9
	clap_builder@4.6.7
	clap_complete@4.6.11
	clap_derive@4.6.9
	clap_lex@1.1.2
	clap_mangen@0.3.3
	colorchoice@1.0.5
	core_detect@1.0.0
	cpufeatures@0.3.1
	dyn-clone@1.0.20
	getrandom@0.4.3
	heck@0.5.0
	include_dir@0.7.4
	include_dir_macros@0.7.4
	is_terminal_polyfill@1.70.2
	itoa@1.0.19
	libc@0.2.191
	memchr@2.8.3
	num-traits@0.2.19
	once_cell_polyfill@1.70.2
	proc-macro2@1.0.107
	proptest@1.12.0
	quote@1.0.47
	r-efi@6.0.0
	rand@0.10.4
	rand_core@0.10.1
	rand_xorshift@0.5.0
	ref-cast@1.0.27
	ref-cast-impl@1.0.27
	regex-syntax@0.8.12
	roff@1.1.1
	schemars@1.2.3
	schemars_derive@1.2.3
	serde@1.0.229
	serde_core@1.0.229
	serde_derive@1.0.229
	serde_derive_internals@0.30.0
	serde_json@1.0.154
	strsim@0.11.1
	syn@3.0.10
	thiserror@2.0.21
	thiserror-impl@2.0.21
	unarray@0.1.4
	unicode-ident@1.0.27
	utf8parse@0.2.2
	windows-link@0.2.1
	windows-sys@0.61.2
	zmij@1.0.23
"

# Cargo.toml's rust-version (tests/overlay.rs checks that they agree)
RUST_MIN_VER="1.88.0"

inherit cargo rust-toolchain shell-completion tmpfiles

DESCRIPTION="Runs the kubelet in a container engine with the host access of its OS release"
HOMEPAGE="https://github.com/kubelet-wrapper/kubelet-wrapper"
# The release tarball is made by os-overlay/dist.sh from the release's tag
# and attached to the release (docs/release-engineering.md).
SRC_URI="
	https://github.com/kubelet-wrapper/kubelet-wrapper/releases/download/v${PV}/${P}.tar.gz
	${CARGO_CRATE_URIS}
"

LICENSE="Apache-2.0"
# Dependent crate licenses
LICENSE+=" MIT Unicode-3.0"
SLOT="0"
KEYWORDS="amd64 arm64"

src_configure() {
	# Pin the wrapper to the image's release: the defaults of that release
	# are built in, whatever /etc/os-release says at run time. The release
	# is the OS build's version, COREOS_VERSION_ID (the VERSION_ID that
	# build_image writes to /usr/lib/os-release); KUBELET_WRAPPER_RELEASE,
	# when set (a version, or "auto" to read os-release at run time),
	# overrides it. Exported here, it stays set for src_compile and
	# src_test, so that both build the same binaries.
	export KUBELET_WRAPPER_RELEASE=${KUBELET_WRAPPER_RELEASE:-${COREOS_VERSION_ID}}
	if [[ -z ${KUBELET_WRAPPER_RELEASE} ]]; then
		eerror "Neither COREOS_VERSION_ID (the image's release) nor"
		eerror "KUBELET_WRAPPER_RELEASE is set: set one to the release"
		eerror "this image ships, e.g. KUBELET_WRAPPER_RELEASE=2512.3.0"
		die "no release to pin kubelet-wrapper to"
	elif [[ ${KUBELET_WRAPPER_RELEASE} == auto ]]; then
		ewarn "KUBELET_WRAPPER_RELEASE=auto: kubelet-wrapper is not pinned"
		ewarn "and reads the release from os-release at run time"
	else
		einfo "kubelet-wrapper pinned to release ${KUBELET_WRAPPER_RELEASE}"
	fi

	# kubelet-wrapperctl --version names the source: the release's tag
	# (the tarball holds no git history)
	export KUBELET_WRAPPER_REVISION="v${PV}"

	# The quickest start (docs/performance.md): the C runtime linked in
	# statically. An explicit --target keeps the flag off the build script
	# and the proc macros, which cannot be linked statically; cargo_env
	# adds RUSTFLAGS after its own -crt-static, and the + wins.
	export RUSTFLAGS="${RUSTFLAGS} -C target-feature=+crt-static"
	cargo_src_configure --target "$(rust_abi)"
}

src_compile() {
	cargo_src_compile --bins
}

src_test() {
	# The tests that need neither mount namespaces nor a nested cargo build:
	# the format, the selection rule, every historical release's command,
	# the other engines' commands and the admin-layer checks.
	#
	# cargo_src_test hands cargo as many of its arguments as the first one
	# has characters (it counts ${#args}, not ${#args[@]}) and the rest to
	# the test harness; with the long --test=NAME form first, all of them
	# reach cargo.
	cargo_src_test --test=defaults_cli --test=defaults --test=releases \
		--test=engines --test=hardening --lib
}

# os-overlay/install.sh performs these same steps for image builds without
# Portage; the tests run both and compare the image roots. Files that
# kubelet-wrapperctl generates (man pages, completions) belong here and in
# install.sh alike.
src_install() {
	# --target puts the binaries below the target triple
	local bindir
	bindir=${CARGO_TARGET_DIR:-target}/$(rust_abi)/$(usex debug debug release)
	exeinto /usr/lib/coreos
	doexe "${bindir}"/kubelet-wrapper
	dobin "${bindir}"/kubelet-wrapperctl
	newtmpfiles "${FILESDIR}"/kubelet-wrapper.tmpfiles kubelet-wrapper.conf
	# The example unit of the engine the build runs, which --version names:
	# "(release R, engine E, source S)", one literal in the binary, read
	# there rather than by running it (a build for another machine cannot);
	# an unpinned build names the engines of the releases it may select,
	# joined by "|", and gets each one's unit as kubelet-ENGINE.service
	local engine e engines
	engine=$(grep -aoE -m1 '\(release [^,]*, engine [a-z|-]+, ' "${bindir}"/kubelet-wrapperctl) \
		|| die "kubelet-wrapperctl does not name its engine"
	engine=${engine##*, engine }
	engine=${engine%, }
	IFS='|' read -r -a engines <<< "${engine}"
	for e in "${engines[@]}"; do
		[[ -f ${FILESDIR}/kubelet-${e}.service ]] \
			|| die "no example unit for the engine ${e} (files/kubelet-ENGINE.service): pin a release whose engine has one"
	done
	insinto /usr/share/kubelet-wrapper
	if [[ ${#engines[@]} -eq 1 ]]; then
		newins "${FILESDIR}/kubelet-${engine}.service" kubelet.service
	else
		ewarn "the releases an unpinned build may select run ${engine//|/ or }:"
		ewarn "installing each one's example unit as kubelet-ENGINE.service"
		for e in "${engines[@]}"; do
			doins "${FILESDIR}/kubelet-${e}.service"
		done
	fi
	# generated by kubelet-wrapperctl generate (tests/cli.rs keeps them current)
	doman docs/man/*.1
	newbashcomp completions/kubelet-wrapperctl kubelet-wrapperctl
	dozshcomp completions/_kubelet-wrapperctl
	dofishcomp completions/kubelet-wrapperctl.fish
}

pkg_postinst() {
	tmpfiles_process kubelet-wrapper.conf
}
