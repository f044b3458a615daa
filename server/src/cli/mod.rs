//! The command line: `asyncell [server]`, `asyncell check`, `asyncell rule`, `asyncell run`,
//! `asyncell kernel`.

pub mod check;
pub mod kernel;
pub mod rule;
pub mod run;
pub mod server;
pub mod version;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "asyncell",
    disable_version_flag = true,
    about = "Diagnostics and a persistent-loop cell runner for async Python"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Print the version, and the interpreter and host copy `asyncell run` would use here.
    #[arg(short = 'V', long)]
    pub version: bool,
    /// Accepted and ignored: LSP clients (vscode-languageclient) pass it to say the
    /// transport is stdio, which is the only one asyncell speaks.
    #[arg(long, global = true, hide = true)]
    pub stdio: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the language server on stdio (the default).
    Server(server::ServerArgs),
    /// Check .py and .ipynb files for event-loop mistakes.
    Check(check::CheckArgs),
    /// Show a rule's documentation, or list every rule.
    Rule(rule::RuleArgs),
    /// Run every code cell of a cell file or notebook on one persistent loop.
    Run(run::RunArgs),
    /// Run as a Jupyter kernel, or install, list and uninstall its kernel specs.
    Kernel(kernel::KernelArgs),
}
