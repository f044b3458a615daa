//! `--config KEY=VALUE`: one `[tool.asyncell]` setting as a TOML `key = value`, taking
//! precedence over the flags and every pyproject.toml (as Ruff's `--config` does).

use crate::config::ConfigLayer;

/// The layer one `--config` sets, or an error naming the problem and a form that works.
/// A key `[tool.asyncell]` does not have is an error (clap turns it into exit 2), never
/// silently ignored.
pub fn parse_override(text: &str) -> Result<ConfigLayer, String> {
    let table: toml::Table = toml::from_str(text).map_err(|error| {
        let reason = one_line(error.message());
        format!(
            "not a TOML `key = value` ({reason}); strings and lists need TOML quoting, \
             e.g. --config 'loop = \"trio\"' or --config 'select = [\"LOOP\", \"ASYNC9\"]'"
        )
    })?;
    if table.is_empty() {
        return Err(
            "no setting given; write a [tool.asyncell] key and a TOML value, e.g. \
             --config 'ignore = [\"LOOP201\"]'"
                .to_string(),
        );
    }
    if table.contains_key("python") {
        return Err(
            "`python` is not a [tool.asyncell] setting: `asyncell check` runs no \
             interpreter (`asyncell run --python` chooses one)"
                .to_string(),
        );
    }
    toml::Value::Table(table)
        .try_into::<ConfigLayer>()
        .map_err(|error| {
            let reason = one_line(error.message());
            format!("{reason} (the keys are those of [tool.asyncell] in pyproject.toml)")
        })
}

/// A TOML error message on one line (they come in several), without its final stop.
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    lines.join(": ").trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::LoopMode;

    #[test]
    fn a_key_and_value_become_a_layer() {
        let layer = parse_override("loop = \"trio\"").unwrap();
        assert_eq!(layer.loop_mode, Some(LoopMode::Trio));
        let layer = parse_override("extend-select=[\"ASYNC9\"]").unwrap();
        assert_eq!(layer.extend_select, Some(vec!["ASYNC9".to_string()]));
    }

    #[test]
    fn bad_keys_and_values_are_named() {
        let error = parse_override("selct = [\"LOOP\"]").unwrap_err();
        assert!(error.contains("selct"), "{error}");
        let error = parse_override("loop = trio").unwrap_err();
        assert!(error.contains("TOML"), "{error}");
        let error = parse_override("loop = \"uvloop\"").unwrap_err();
        assert!(error.contains("uvloop"), "{error}");
        assert!(parse_override("").is_err());
        assert!(parse_override("python = \"/bin/sh\"").is_err());
    }
}
