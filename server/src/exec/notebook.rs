//! Executed notebooks (nbformat 4.5) for `asyncell run --write`.

use std::io::{self, Write as _};
use std::path::Path;

use serde_json::{json, Value};

use super::{owned, SourceCell};
use crate::analysis::percent;
use crate::positions;

/// What running one code cell produced.
#[derive(Clone, Debug, Default)]
pub struct CellRecord {
    pub execution_count: Option<u64>,
    pub outputs: Vec<Value>,
}

/// An .ipynb input with the outputs and counts of its code cells replaced (`results[i]`
/// belongs to the i-th code cell; `None` for cells that did not run). Everything else
/// (metadata, markdown, attachments) is kept; the notebook is upgraded to 4.5 (cell ids).
pub fn from_ipynb(original: &Value, results: &[Option<CellRecord>]) -> Value {
    let mut notebook = original.clone();
    let mut code_index = 0;
    if let Some(cells) = notebook.get_mut("cells").and_then(Value::as_array_mut) {
        for (position, cell) in cells.iter_mut().enumerate() {
            let Some(object) = cell.as_object_mut() else {
                continue;
            };
            if !object.contains_key("id") {
                object.insert("id".into(), json!(format!("cell-{position}")));
            }
            object.entry("metadata").or_insert_with(|| json!({}));
            if object.get("cell_type").and_then(Value::as_str) != Some("code") {
                continue;
            }
            let record = results
                .get(code_index)
                .cloned()
                .flatten()
                .unwrap_or_default();
            object.insert("execution_count".into(), json!(record.execution_count));
            object.insert("outputs".into(), Value::Array(record.outputs));
            code_index += 1;
        }
    }
    if let Some(object) = notebook.as_object_mut() {
        object.insert("nbformat".into(), json!(4));
        object.insert("nbformat_minor".into(), json!(5));
        object.entry("metadata").or_insert_with(|| json!({}));
    }
    notebook
}

/// A notebook from the cells of a `.py` file (`results` indexed as in [`from_ipynb`]).
/// Marker lines are dropped; `# %% [markdown]` cells become markdown cells.
pub fn from_python(cells: &[SourceCell], results: &[Option<CellRecord>]) -> Value {
    let mut out = Vec::new();
    let mut code_index = 0;
    for (position, cell) in cells.iter().enumerate() {
        let body = strip_marker(&cell.text);
        let id = format!("cell-{position}");
        if cell.is_code {
            let record = results
                .get(code_index)
                .cloned()
                .flatten()
                .unwrap_or_default();
            code_index += 1;
            out.push(json!({
                "cell_type": "code",
                "execution_count": record.execution_count,
                "id": id,
                "metadata": {},
                "outputs": record.outputs,
                "source": source_lines(body.trim_end()),
            }));
        } else {
            let markdown: String = positions::lines_with_breaks(body)
                .map(|(_, line)| {
                    line.strip_prefix("# ")
                        .or_else(|| line.strip_prefix('#'))
                        .unwrap_or(line)
                })
                .collect();
            out.push(json!({"cell_type": "markdown", "id": id, "metadata": {}, "source": source_lines(markdown.trim_end())}));
        }
    }
    json!({
        "cells": out,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    })
}

fn strip_marker(text: &str) -> &str {
    let first_end = positions::next_line_start(text, 0).unwrap_or(text.len());
    if percent::is_marker(text[..first_end].trim_end()) {
        &text[first_end..]
    } else {
        text
    }
}

/// Source as a list of lines, each but the last ending in its line break (as Jupyter
/// saves it).
fn source_lines(text: &str) -> Value {
    Value::Array(
        positions::lines_with_breaks(text)
            .map(|(_, line)| Value::String(line.to_string()))
            .collect(),
    )
}

/// Serialises a notebook as Jupyter does: one-space indent, trailing newline.
pub fn to_string(notebook: &Value) -> String {
    let mut buffer = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffer, formatter);
    serde::Serialize::serialize(notebook, &mut serializer).expect("JSON values serialise");
    let mut text = String::from_utf8(buffer).expect("serde_json writes UTF-8");
    text.push('\n');
    text
}

/// Writes `text` to `path` atomically: into a new file next to it, created with
/// `O_EXCL` under an unpredictable name (so a symlink planted at any name it might use
/// is never followed), then renamed over `path`. A symlink at `path` itself is replaced,
/// not written through.
pub fn write_replacing(path: &Path, text: &str) -> io::Result<()> {
    let absolute = std::path::absolute(path)?;
    let directory = absolute
        .parent()
        .ok_or_else(|| io::Error::other("the output path has no directory"))?;
    let name = absolute
        .file_name()
        .map_or_else(|| "notebook".into(), |n| n.to_string_lossy().into_owned());
    let (staging, mut file) = owned::create_new_file(directory, &format!(".{name}.tmp-"))?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&staging, &absolute));
    if written.is_err() {
        let _ = std::fs::remove_file(&staging);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::python_cells;

    #[test]
    fn python_cells_become_a_notebook() {
        let cells = python_cells("# %%\nx = 1\n\n# %% [markdown]\n# # Title\n# %%\nx\n");
        let results = vec![
            None,
            Some(CellRecord {
                execution_count: Some(1),
                outputs: vec![json!({"output_type": "stream", "name": "stdout", "text": "1\n"})],
            }),
        ];
        let notebook = from_python(&cells, &results);
        let cells = notebook["cells"].as_array().unwrap();
        assert_eq!(cells.len(), 3);
        assert_eq!(cells[0]["source"], json!(["x = 1"]));
        assert_eq!(cells[0]["execution_count"], Value::Null);
        assert_eq!(cells[1]["cell_type"], "markdown");
        assert_eq!(cells[1]["source"], json!(["# Title"]));
        assert_eq!(cells[2]["execution_count"], 1);
        assert_eq!(notebook["nbformat_minor"], 5);
    }

    #[test]
    fn ipynb_outputs_are_replaced_and_ids_added() {
        let original = json!({"cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "hi"},
            {"cell_type": "code", "metadata": {"tags": ["x"]}, "source": "1", "outputs": [{"output_type": "stream", "name": "stdout", "text": "old"}], "execution_count": 9},
        ], "metadata": {"kernelspec": {"name": "k"}}, "nbformat": 4, "nbformat_minor": 2});
        let notebook = from_ipynb(
            &original,
            &[Some(CellRecord {
                execution_count: Some(1),
                outputs: vec![],
            })],
        );
        assert_eq!(notebook["cells"][1]["execution_count"], 1);
        assert_eq!(notebook["cells"][1]["outputs"], json!([]));
        assert_eq!(notebook["cells"][1]["metadata"]["tags"], json!(["x"]));
        assert!(notebook["cells"][0]["id"].is_string());
        assert_eq!(notebook["metadata"]["kernelspec"]["name"], "k");
    }

    #[cfg(unix)]
    #[test]
    fn writing_never_follows_a_planted_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let out = dir.path().join("out.ipynb");
        // The old fixed staging name, and the output name's usual temporary spellings.
        for planted in [
            format!(".out.ipynb.tmp-{}", std::process::id()),
            ".out.ipynb.tmp".to_string(),
            "out.ipynb.tmp".to_string(),
        ] {
            std::os::unix::fs::symlink(&victim, dir.path().join(planted)).unwrap();
        }
        write_replacing(&out, "{}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "{}\n");
        let staging_left = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| !e.file_type().unwrap().is_symlink())
            .count();
        assert_eq!(staging_left, 2, "only victim and out.ipynb remain");
    }
}
