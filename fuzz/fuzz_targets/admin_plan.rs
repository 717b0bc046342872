//! Arbitrary environment maps and kubelet argv on every embedded release:
//! the plan keeps the kubelet's arguments and the system volumes.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

use kubelet_wrapper::admin::Var;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // byte 0: release; then NUL-separated fields: "<var index byte><value>"
    // until an empty field, then the kubelet arguments.
    let Some((&release, rest)) = data.split_first() else {
        return;
    };
    let mut fields = rest.split(|&b| b == 0);
    let mut env = Vec::new();
    for f in fields.by_ref() {
        let Some((&v, value)) = f.split_first() else {
            break;
        };
        env.push((Var::ALL[v as usize % Var::ALL.len()], value.to_vec()));
    }
    let args: Vec<Vec<u8>> = fields.map(<[u8]>::to_vec).collect();
    props::check_plan(release as usize, &env, &args);
});
