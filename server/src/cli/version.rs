//! `asyncell --version`: the version on the first line (what scripts and editors read),
//! then what `asyncell run` would use from here: the interpreter, why that one, and which
//! copy of the host package it would run. Nothing is started or extracted to find out.

use std::path::Path;

use crate::config::SearchLimit;
use crate::exec::{self, host_copy, HostCopy, ProjectVenv};

pub fn print() {
    println!("asyncell {}", env!("CARGO_PKG_VERSION"));
    let cwd = std::env::current_dir().ok();
    let interpreter = exec::choose_python(&exec::Discovery {
        setting: None,
        relative_to: cwd.as_deref(),
        document_dir: cwd.as_deref(),
        limit: SearchLimit::Repository,
        venv: ProjectVenv::Allowed,
    });
    println!(
        "interpreter: {} (from {})",
        interpreter.argv.join(" "),
        interpreter.source.describe()
    );
    let host = match host_copy::installed_package(&interpreter.argv) {
        Ok(package) => HostCopy::Installed { package }.describe(),
        Err(passed_over) => {
            let dir = exec::embed::cache_dir_preview();
            let place = dir.as_deref().map_or_else(
                || "a private directory".to_string(),
                |dir: &Path| dir.display().to_string(),
            );
            let embedded = format!("the embedded host (extracted on first run to {place})");
            match passed_over {
                Some(why) => format!("{embedded}; {why}"),
                None => embedded,
            }
        }
    };
    println!("host: {host}");
    if let Ok(exe) = std::env::current_exe() {
        println!("binary: {}", exe.display());
    }
}
