//! `asyncell run FILE`: run every code cell on one persistent loop.
//! (Implemented with the execution backend.)

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A `# %%` cell file, a plain script, or an .ipynb notebook.
    pub file: std::path::PathBuf,
}

pub fn run(args: RunArgs) -> ExitCode {
    eprintln!(
        "error: `asyncell run {}`: the execution backend is not built yet",
        args.file.display()
    );
    ExitCode::from(2)
}
