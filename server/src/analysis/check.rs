//! Running the rules over a document, with per-unit caching.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rustc_hash::FxHasher;

use super::checker::Checker;
use super::diagnostic::Diagnostic;
use super::document::Document;
use super::noqa;
use super::rules::{e998_not_analysed, e999_syntax_error};

/// Diagnostics for every unit of the document, in unit order. A unit whose text and
/// cross-unit context did not change since the last check reuses its previous result,
/// so editing one cell checks one cell.
pub fn check_document(document: &mut Document) -> Vec<Arc<Vec<Diagnostic>>> {
    let (slots, index, settings) = document.for_checking();
    let enabled = settings.enabled_rules();
    slots
        .iter_mut()
        .enumerate()
        .map(|(position, slot)| {
            let mut hasher = FxHasher::default();
            (index.fingerprint, position, slot.cell).hash(&mut hasher);
            let key = hasher.finish();
            if let Some((cached_key, diagnostics)) = &slot.cached {
                if *cached_key == key {
                    return diagnostics.clone();
                }
            }
            let unit = &slot.unit;
            let mut diagnostics = if enabled.contains(e999_syntax_error::RULE) {
                e999_syntax_error::check(unit)
            } else {
                Vec::new()
            };
            if enabled.contains(e998_not_analysed::RULE) {
                diagnostics.extend(e998_not_analysed::check(unit));
            }
            // A unit too deep to analyse is left to E998: the rules would spend time
            // and stack out of all proportion on it.
            if e998_not_analysed::is_analysable(unit) {
                diagnostics
                    .extend(Checker::new(unit, index, position, &enabled, &settings.options).run());
            }
            diagnostics.retain(|d| !noqa::is_suppressed(unit, d));
            // `Rule`s are ordered as their codes are.
            diagnostics.sort_by_key(|d| (d.range.start(), d.rule));
            let diagnostics = Arc::new(diagnostics);
            slot.cached = Some((key, diagnostics.clone()));
            diagnostics
        })
        .collect()
}
