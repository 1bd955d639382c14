//! The `kedai` binary: parse the command line and run it.

/// Many small allocations on many threads (requests, SQLite workers): mimalloc keeps them
/// thread-local where glibc's malloc took locks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kedai::cli::main()
}
