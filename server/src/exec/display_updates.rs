//! Outputs that change earlier outputs: a `display_data` named by a
//! `transient.display_id`, the `update_display_data` that replaces it, and
//! `clear_output` (see [`HostOutput`](super::protocol::HostOutput)). A Jupyter kernel
//! passes them on as they are; everything that keeps plain nbformat outputs (an
//! execution's reply, the LSP's `asyncell/output`, `asyncell run`) goes through here.

use serde_json::Value;

use super::protocol::OutputType;

/// The display id an output names, if any.
pub fn display_id(output: &Value) -> Option<&str> {
    output.get("transient")?.get("display_id")?.as_str()
}

/// `output` for a front end that can neither replace nor clear what it already shows
/// (editors through `asyncell/output`, `asyncell run`'s terminal): a display loses its
/// id, an update is shown as a display of its own (the newest value, after the older
/// ones), a clear shows nothing. An execution's reply applies both instead
/// (`reply::InFlight::keep`).
pub fn as_nbformat(mut output: Value) -> Option<Value> {
    match OutputType::of(&output) {
        OutputType::ClearOutput => None,
        OutputType::UpdateDisplayData | OutputType::DisplayData => {
            let object = output.as_object_mut()?;
            object.remove("transient");
            object.insert("output_type".into(), Value::from("display_data"));
            Some(output)
        }
        _ => Some(output),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn front_ends_without_updates_get_plain_displays() {
        let named = json!({"output_type": "display_data", "data": {"text/plain": "1"},
                           "metadata": {}, "transient": {"display_id": "d"}});
        assert_eq!(display_id(&named), Some("d"));
        assert_eq!(
            as_nbformat(named),
            Some(
                json!({"output_type": "display_data", "data": {"text/plain": "1"}, "metadata": {}})
            )
        );
        let update = json!({"output_type": "update_display_data", "data": {"text/plain": "2"},
                            "metadata": {}, "transient": {"display_id": "d"}});
        assert_eq!(as_nbformat(update).unwrap()["output_type"], "display_data");
        assert_eq!(
            as_nbformat(json!({"output_type": "clear_output", "wait": true})),
            None
        );
        let stream = json!({"output_type": "stream", "name": "stdout", "text": "x"});
        assert_eq!(as_nbformat(stream.clone()), Some(stream));
        assert_eq!(display_id(&json!({"output_type": "display_data"})), None);
    }
}
