//! Property tests of the core (run in CI); the same properties, in
//! tests/props, are the fuzz targets' (fuzz/, run by their own command).

mod props;
mod variants;

use kubelet_wrapper::admin::Var;
use proptest::prelude::*;

/// Values that exercise splitting, aliases, quoting and the translation of
/// rkt arguments, with arbitrary bytes mixed in.
fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"".to_vec()),
        Just(b" ".to_vec()),
        Just(b"v1.18.0_coreos.0".to_vec()),
        Just(b"docker://quay.io/coreos/hyperkube".to_vec()),
        Just(b"--volume x,kind=host,source=/srv --mount volume=x,target=/srv".to_vec()),
        Just(b"--volume coreos-run,kind=host,source=/srv --mount volume=coreos-run,target=/run".to_vec()),
        Just(b"--mount volume=var-log,target=/var/log --volume=var-log,kind=host,source=/var/log".to_vec()),
        Just(b"--net=host --dns=host --hosts-entry host --set-env=A=B --uuid-file-save=/var/lib/x.uuid".to_vec()),
        Just(b"--insecure-options=image,tls --trust-keys-from-https".to_vec()),
        Just(b"--exec=/kubelet".to_vec()),
        Just(b"-v /srv:/etc/kubernetes --tls-verify=false".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..24),
        "[ -~\t\n]{0,40}".prop_map(String::into_bytes),
    ]
}

fn env() -> impl Strategy<Value = Vec<(Var, Vec<u8>)>> {
    proptest::collection::vec((proptest::sample::select(Var::ALL.to_vec()), value()), 0..8)
}

fn args() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b"--".to_vec()),
            Just(Vec::new()),
            proptest::collection::vec(any::<u8>(), 0..16)
        ],
        0..6,
    )
}

thread_local! {
    /// The embedded docker release (tests/variants finds it), read once.
    static DOCKER: kubelet_wrapper::release::model::Defaults = variants::docker_release();
}

/// Unit text: the bytes that matter to systemd's syntax, often.
fn unit_text() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            Just(b"[Service]\n".to_vec()),
            Just(b"[Unit]\n".to_vec()),
            Just(b"ExecStart=".to_vec()),
            Just(b"ExecStartPre=".to_vec()),
            Just(b"Environment=".to_vec()),
            Just(b"EnvironmentFile=".to_vec()),
            Just(b"/usr/lib/coreos/kubelet-wrapper".to_vec()),
            Just(b"/bin/sh -c ".to_vec()),
            Just(b"mkdir -p ".to_vec()),
            Just(b"rkt ".to_vec()),
            Just(b"A=1".to_vec()),
            Just(b"$A ${A}".to_vec()),
            Just(b"%H%n%%".to_vec()),
            Just(b"\\\n".to_vec()),
            proptest::collection::vec(
                prop_oneof![
                    Just(b' '),
                    Just(b'\n'),
                    Just(b'\r'),
                    Just(b'\0'),
                    Just(b'\\'),
                    Just(b'"'),
                    Just(b'\''),
                    Just(b'='),
                    Just(b'#'),
                    Just(b';'),
                    Just(b'$'),
                    Just(b'['),
                    Just(b']'),
                    any::<u8>()
                ],
                0..8
            ),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn plans_keep_kubelet_flags_and_system_volumes(release in 0usize..64, env in env(), args in args()) {
        props::check_plan(release, &env, &args);
    }

    #[test]
    fn plans_with_an_image_keep_kubelet_flags_and_system_volumes(release in 0usize..64, mut env in env(), args in args()) {
        env.insert(0, (Var::KubeletImageTag, b"v1.18.0".to_vec()));
        props::check_plan(release, &env, &args);
    }

    #[test]
    fn word_splitting(input in proptest::collection::vec(prop_oneof![Just(b' '), Just(b'\t'), Just(b'\n'), any::<u8>()], 0..64)) {
        props::check_words(&input);
    }

    #[test]
    fn versions_and_selection(input in "[0-9.]{0,12}|[0-9]{1,5}\\.[0-9]{1,3}\\.[0-9]{1,3}", extra in proptest::collection::vec((0u32..4000, 0u32..20, 0u32..5), 0..5)) {
        props::check_version(&input, &extra);
    }

    #[test]
    fn defaults_json_never_panics(text in "\\PC{0,200}") {
        props::check_defaults_json(&text);
    }

    #[test]
    fn os_release_parses_and_reads_back(text in proptest::collection::vec(prop_oneof![
        Just(b"ID=".to_vec()), Just(b"VERSION_ID=".to_vec()), Just(b"\n".to_vec()),
        Just(b"\"".to_vec()), Just(b"'".to_vec()), Just(b"\\".to_vec()), Just(b"#".to_vec()),
        Just(b" ".to_vec()), Just(b"coreos".to_vec()), Just(b"2512.3.0".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ], 0..24).prop_map(|v| v.concat())) {
        props::check_os_release(&text);
    }

    #[test]
    fn normalised_paths(path in proptest::collection::vec(prop_oneof![
        Just(b"/".to_vec()), Just(b".".to_vec()), Just(b"..".to_vec()), Just(b"etc".to_vec()),
        Just(b"k".to_vec()), proptest::collection::vec(any::<u8>(), 0..3),
    ], 0..12).prop_map(|v| v.concat())) {
        props::check_normalize(&path);
    }

    #[test]
    fn mount_arguments(syntax in 0u8..3, words in proptest::collection::vec(prop_oneof![
        Just(b"-v".to_vec()), Just(b"--volume".to_vec()), Just(b"--mount".to_vec()),
        Just(b"--tmpfs=/run".to_vec()), Just(b"-itv/a:/b/.".to_vec()), Just(b"--bind-r=/a:/b".to_vec()),
        Just(b"--overlay=/a:/b:+/c".to_vec()), Just(b"type=bind,src=/a,dst=/b//c".to_vec()),
        Just(b"/a:/b:ro".to_vec()), Just(b"volume=x,target=/y/../z".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..12),
    ], 0..8)) {
        props::check_mounts(syntax, &words);
    }

    #[test]
    fn every_spelling_of_a_system_target_is_refused(which in 0usize..32, form in 0u8..9, ops in proptest::collection::vec(any::<u8>(), 0..8)) {
        props::check_spelled_target(which, form, &ops);
    }

    #[test]
    fn admin_engine_words_cannot_reach_around_the_release(which in 0u8..2, words in proptest::collection::vec(prop_oneof![
        Just(b"--label".to_vec()), Just(b"-l".to_vec()), Just(b"--".to_vec()), Just(b"-".to_vec()),
        Just(b"--tls-verify".to_vec()), Just(b"false".to_vec()), Just(b"--tls-verify=0".to_vec()),
        Just(b"-itv".to_vec()), Just(b"-e".to_vec()), Just(b"--privileged".to_vec()),
        Just(b"--volume".to_vec()), Just(b"/a:/b".to_vec()), Just(b"oci-archive:/x".to_vec()),
        Just(b"--no-such".to_vec()), Just(b"--no-such=1".to_vec()), Just(b"-d=false".to_vec()),
        Just(b"--runtime".to_vec()), Just(b"--net=host".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ], 0..8)) {
        props::check_engine_words(which, &words, &DOCKER.with(Clone::clone));
    }

    #[test]
    fn escapes_are_one_inert_line(bytes in proptest::collection::vec(prop_oneof![
        any::<u8>(), Just(b'\n'), Just(b'\\'), Just(b'\''), Just(0xe2), Just(0x80),
    ], 0..32)) {
        props::check_escape(&bytes);
    }
}

/// Mutations of real release files: parse, check and round-trip.
#[test]
fn mutated_release_files() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 500,
        ..ProptestConfig::default()
    });
    let files = kubelet_wrapper::release::registry::files();
    runner
        .run(
            &(0..files.len(), any::<usize>(), any::<char>()),
            |(i, at, c)| {
                let text = files[i].text;
                let mut chars: Vec<char> = text.chars().collect();
                let at = at % chars.len();
                chars[at] = c;
                props::check_defaults_json(&chars.into_iter().collect::<String>());
                props::check_defaults_json(text);
                Ok(())
            },
        )
        .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn units_of_any_bytes_are_read(unit in unit_text(), dropin in unit_text()) {
        props::check_unit(&unit, &dropin);
    }

    #[test]
    fn shell_scripts_of_any_bytes_are_read(script in proptest::collection::vec(prop_oneof![
        Just(b' '), Just(b'\n'), Just(b'\\'), Just(b'"'), Just(b'\''), Just(b'$'), Just(b'{'),
        Just(b'}'), Just(b':'), Just(b'-'), Just(b'+'), Just(b'A'), Just(b'@'), Just(b'*'),
        Just(b';'), Just(b'&'), Just(b'|'), Just(b'#'), Just(b'='), any::<u8>()
    ], 0..48)) {
        props::check_shell(&script);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn dropin_trees_are_read_in_systemds_order(data in proptest::collection::vec(prop_oneof![
        Just(0u8), Just(1), Just(2), Just(3), Just(5), Just(7), Just(b'.'), Just(b'c'),
        Just(b'\n'), Just(b'='), Just(b'['), any::<u8>()
    ], 0..96)) {
        props::check_dropin_tree(&data);
    }
}
