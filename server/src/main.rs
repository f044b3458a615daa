use std::process::ExitCode;

use clap::Parser;

use asyncell::cli::{self, Cli, Command};

fn main() -> ExitCode {
    asyncell::logging::init();
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Server) => asyncell::server::run(),
        Some(Command::Check(args)) => cli::check::run(args),
        Some(Command::Rule(args)) => cli::rule::run(args),
        Some(Command::Run(args)) => cli::run::run(args),
    }
}
