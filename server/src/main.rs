use std::process::ExitCode;

use clap::Parser;

use asyncell::cli::{self, Cli, Command};

/// `asyncell check` allocates and frees millions of small AST nodes across threads;
/// glibc's malloc spent ~17% of a check there (perf, docs/benchmarks.md). mimalloc's
/// thread-local free lists make that a few percent.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    asyncell::logging::init();
    let cli = Cli::parse();
    if cli.version {
        cli::version::print();
        return ExitCode::SUCCESS;
    }
    match cli.command {
        None => {
            cli::server::announce_if_interactive();
            asyncell::server::run(Default::default())
        }
        Some(Command::Server(args)) => {
            cli::server::announce_if_interactive();
            asyncell::server::run(args)
        }
        Some(Command::Check(args)) => cli::check::run(args),
        Some(Command::Rule(args)) => cli::rule::run(args),
        Some(Command::Run(args)) => cli::run::run(args),
        Some(Command::Kernel(args)) => cli::kernel::run(args),
    }
}
