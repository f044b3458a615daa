//! Reading `.ipynb` files (nbformat 4) for the command line.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotebookCell {
    pub is_code: bool,
    pub source: String,
}

/// Parses an .ipynb file's JSON into its cells. Errors name what is wrong, because users
/// meet them for hand-edited or merge-conflicted notebooks.
pub fn parse(json: &str) -> Result<Vec<NotebookCell>, String> {
    // A byte order mark is not JSON, but editors on Windows write one before it.
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    let value: Value = serde_json::from_str(json).map_err(|e| {
        format!(
            "not valid notebook JSON ({e}); a merge conflict or a truncated save can cause this"
        )
    })?;
    let cells = value
        .get("cells")
        .and_then(Value::as_array)
        .ok_or("notebook JSON has no `cells` list (is this nbformat 4?)")?;
    cells
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            let kind = cell
                .get("cell_type")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("cell {} has no `cell_type`", i + 1))?;
            let source = match cell.get("source") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(parts)) => {
                    let mut joined = String::new();
                    for part in parts {
                        let part = part.as_str().ok_or_else(|| {
                            format!("cell {}: `source` list holds a non-string", i + 1)
                        })?;
                        joined.push_str(part);
                    }
                    joined
                }
                None | Some(Value::Null) => String::new(),
                Some(_) => {
                    return Err(format!(
                        "cell {}: `source` is neither a string nor a list",
                        i + 1
                    ))
                }
            };
            Ok(NotebookCell {
                is_code: kind == "code",
                source,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_as_lists_or_strings_are_joined() {
        let json = r##"{"cells":[{"cell_type":"markdown","source":"# t"},
            {"cell_type":"code","source":["x = 1\n","await f()"]}],"nbformat":4}"##;
        let cells = parse(json).unwrap();
        assert_eq!(
            cells[1],
            NotebookCell {
                is_code: true,
                source: "x = 1\nawait f()".into()
            }
        );
        assert!(!cells[0].is_code);
    }

    #[test]
    fn broken_notebooks_get_a_message_that_names_the_problem() {
        assert!(parse("{").unwrap_err().contains("not valid notebook JSON"));
        assert_eq!(parse("\u{feff}{\"cells\": []}"), Ok(Vec::new()));
        assert!(parse("{}").unwrap_err().contains("no `cells`"));
        assert!(parse(r#"{"cells":[{"source":"x"}]}"#)
            .unwrap_err()
            .contains("cell 1"));
    }
}
