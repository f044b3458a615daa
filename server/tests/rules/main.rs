//! Behaviour of each rule, one module per rule: snippets run through the public API
//! (`Document::from_python` / `Document::from_cells` + `check_document`), asserting the
//! codes, the lines they land on, and for fixes the text after applying them.

#[path = "../common/mod.rs"]
mod common;

mod async105;
mod blocking;
mod cancellation;
mod checkpoints;
mod e999;
mod fixes;
mod library;
mod library_decision;
mod loop100;
mod loop101;
mod loop102;
mod loop200;
mod loop201;
mod loop300;
mod loop301;
mod loop302;
mod loop303;
mod loop_mode;
mod noqa_and_selection;
