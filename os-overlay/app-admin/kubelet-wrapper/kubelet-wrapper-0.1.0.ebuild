# kubelet-wrapper: the program the OS image ships at
# /usr/lib/coreos/kubelet-wrapper, pinned to the image's release.
# os-overlay/README.md says how an image build uses this ebuild.

EAPI=8

# The registry packages of Cargo.lock, NAME-VERSION. tests/overlay.rs fails
# when this list and Cargo.lock disagree, and prints the list to paste here.
CRATES="
	anstream-1.0.0
	anstyle-1.0.14
	anstyle-parse-1.0.0
	anstyle-query-1.1.5
	anstyle-wincon-3.0.11
	autocfg-1.5.1
	bitflags-2.13.2
	cfg-if-1.0.5
	chacha20-0.10.2
	clap-4.6.9
	clap_builder-4.6.7
	clap_complete-4.6.11
	clap_derive-4.6.9
	clap_lex-1.1.2
	clap_mangen-0.3.3
	colorchoice-1.0.5
	core_detect-1.0.0
	cpufeatures-0.3.1
	dyn-clone-1.0.20
	getrandom-0.4.3
	heck-0.5.0
	include_dir-0.7.4
	include_dir_macros-0.7.4
	is_terminal_polyfill-1.70.2
	itoa-1.0.19
	libc-0.2.191
	memchr-2.8.3
	num-traits-0.2.19
	once_cell_polyfill-1.70.2
	proc-macro2-1.0.107
	proptest-1.12.0
	quote-1.0.47
	r-efi-6.0.0
	rand-0.10.4
	rand_core-0.10.1
	rand_xorshift-0.5.0
	ref-cast-1.0.27
	ref-cast-impl-1.0.27
	regex-syntax-0.8.12
	roff-1.1.1
	schemars-1.2.3
	schemars_derive-1.2.3
	serde-1.0.229
	serde_core-1.0.229
	serde_derive-1.0.229
	serde_derive_internals-0.30.0
	serde_json-1.0.154
	strsim-0.11.1
	syn-3.0.10
	thiserror-2.0.21
	thiserror-impl-2.0.21
	unarray-0.1.4
	unicode-ident-1.0.27
	utf8parse-0.2.2
	windows-link-0.2.1
	windows-sys-0.61.2
	zmij-1.0.23
"

# edition 2024, and the highest rust-version of the crates above
RUST_MIN_VER="1.85.0"

inherit cargo tmpfiles

DESCRIPTION="Runs the kubelet in a container engine with the host access its OS release gives it"
# The source tarball is made from the repository's tag (os-overlay/README.md):
#   git archive --prefix=${P}/ -o ${P}.tar.gz v${PV}
# and put in DISTDIR (or the image build's local mirror) before emerging.
SRC_URI="
	${P}.tar.gz
	${CARGO_CRATE_URIS}
"

# Cargo.toml declares no license yet, so the package itself is all rights
# reserved; change this together with Cargo.toml once it has one.
LICENSE="all-rights-reserved"
# Dependent crate licenses
LICENSE+=" MIT Unicode-3.0"
SLOT="0"
KEYWORDS="amd64 arm64"

src_compile() {
	# Pin the wrapper to the image's release: the defaults of that release
	# are built in, whatever /etc/os-release says at run time. The release
	# is the OS build's version, COREOS_VERSION_ID (the VERSION_ID that
	# build_image writes to /usr/lib/os-release); KUBELET_WRAPPER_RELEASE,
	# when set (a version, or "auto" to read os-release at run time),
	# overrides it.
	export KUBELET_WRAPPER_RELEASE=${KUBELET_WRAPPER_RELEASE:-${COREOS_VERSION_ID}}
	[[ -n ${KUBELET_WRAPPER_RELEASE} ]] ||
		die "Neither COREOS_VERSION_ID (the image's release) nor KUBELET_WRAPPER_RELEASE is set: set one to the release this image ships, e.g. 2512.3.0"
	einfo "kubelet-wrapper pinned to release ${KUBELET_WRAPPER_RELEASE}"
	cargo_src_compile --bins
}

src_test() {
	# The tests that need neither mount namespaces nor a nested cargo build:
	# the format, the selection rule, every historical release's command,
	# the other engines' commands and the admin-layer checks.
	cargo_src_test --lib --test defaults --test defaults_cli --test releases \
		--test engines --test hardening
}

# os-overlay/install.sh performs these same steps for image builds without
# Portage; tests/overlay.rs runs both into two roots and compares them.
src_install() {
	exeinto /usr/lib/coreos
	doexe "$(cargo_target_dir)"/kubelet-wrapper
	dobin "$(cargo_target_dir)"/kubelet-wrapperctl
	newtmpfiles "${FILESDIR}"/kubelet-wrapper.tmpfiles kubelet-wrapper.conf
	insinto /usr/share/kubelet-wrapper
	doins "${FILESDIR}"/kubelet.service
}

pkg_postinst() {
	tmpfiles_process kubelet-wrapper.conf
}
