//! `asyncell server`: the language server's options.

use clap::Args;

/// Where the maximum message size comes from when `--max-message-size` is not given.
pub const MAX_MESSAGE_SIZE_ENV: &str = "ASYNCELL_MAX_MESSAGE_SIZE";

#[derive(Debug, Default, Args)]
pub struct ServerArgs {
    /// The largest LSP message accepted, in bytes (or with a KiB, MiB or GiB suffix);
    /// larger ones are refused and skipped. Default: $ASYNCELL_MAX_MESSAGE_SIZE, else 64MiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_message_size: Option<usize>,
}

/// Said on stderr when someone types `asyncell` at a terminal: they likely wanted the
/// checker, and a silent process waiting for LSP frames looks hung. Editors start the
/// server with pipes, never a terminal, so they never see it (and stdout, the LSP
/// channel, is untouched).
pub fn announce_if_interactive() {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        eprintln!(
            "asyncell: this is the language server, waiting for LSP messages on stdin \
             (editors start it this way; Ctrl-C quits).\n\
             To check files, run `asyncell check` (see `asyncell check --help`)."
        );
    }
}

/// A size in bytes: digits, optionally followed by `KiB`, `MiB` or `GiB` (case-insensitive).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let trimmed = text.trim();
    let digits = trimmed.len()
        - trimmed
            .bytes()
            .rev()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
    let (number, unit) = trimmed.split_at(digits);
    let scale: usize = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return Err(size_error(text)),
    };
    number
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|n| *n > 0)
        .ok_or_else(|| size_error(text))
}

fn size_error(text: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    format!("{shown:?} is not a size: write a positive number of bytes, e.g. 67108864 or 64MiB")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("2 gib"), Ok(2 << 30));
        assert_eq!(parse_size("16KiB"), Ok(16 << 10));
        for bad in [
            "",
            "0",
            "-1",
            "64MB",
            "1.5MiB",
            "lots",
            "99999999999999999999GiB",
        ] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
