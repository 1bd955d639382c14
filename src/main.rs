//! The `kedai` binary: parse the command line and run it.

fn main() -> std::process::ExitCode {
    kedai::cli::main()
}
