//! Embeds the Python host (`host/asyncell_host.py` and the `host/asyncell/` package, without
//! `tests/` and `__pycache__/`) into the binary.
//!
//! Generates `$OUT_DIR/host_files.rs` with `HOST_FILES: &[(&str, &[u8])]` (relative path,
//! contents via `include_bytes!`) and `HOST_HASH`, a content hash used to name the
//! extraction directory, so two builds with different host code never share a cache dir.
//!
//! Only the embedded files are `rerun-if-changed` (not the directories: cargo scans those
//! recursively, and running the host's tests writes `__pycache__` there). A new module is
//! picked up with the next change to any embedded file (it has to be imported somewhere).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let host = manifest.join("host");
    let mut files = Vec::new();
    files.push(host.join("asyncell_host.py"));
    collect(&host.join("asyncell"), &mut files);
    files.sort();

    // FNV-1a over (relative path, length, contents): stable across Rust versions.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let mut entries = String::new();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let relative = path
            .strip_prefix(&host)
            .expect("under host/")
            .to_string_lossy()
            .replace('\\', "/");
        let contents =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        assert!(
            std::str::from_utf8(&contents).is_ok(),
            "{} is not UTF-8",
            path.display()
        );
        feed(relative.as_bytes());
        feed(&(contents.len() as u64).to_le_bytes());
        feed(&contents);
        writeln!(
            entries,
            "    ({relative:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    println!("cargo:rerun-if-changed=build.rs");

    let generated = format!(
        "/// The embedded host files: (path relative to the host directory, contents).\n\
         pub static HOST_FILES: &[(&str, &[u8])] = &[\n{entries}];\n\
         /// Content hash of [`HOST_FILES`].\n\
         pub const HOST_HASH: &str = \"{hash:016x}\";\n"
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("host_files.rs");
    std::fs::write(out, generated).expect("write host_files.rs");
}

fn collect(directory: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "__pycache__" && name != "tests" && !name.starts_with('.') {
                collect(&path, files);
            }
        } else if name.ends_with(".py") {
            files.push(path);
        }
    }
}
