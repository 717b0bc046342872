//! `kubelet-wrapperctl`: the companion tool; everything is in
//! [`kubelet_wrapper::ctl`].

fn main() -> std::process::ExitCode {
    kubelet_wrapper::ctl::main()
}
