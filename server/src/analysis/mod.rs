//! The analysis layer: documents, cells, parsing, the cross-cell index and the rules.
//!
//! Invariant: nothing here knows about LSP, processes or the file system. Inputs are
//! text and [`Settings`]; outputs are [`Diagnostic`]s with unit-relative byte ranges.
//! Converting those to editor positions is `crate::positions`' job.

pub mod check;
pub mod checker;
pub mod depth;
pub mod diagnostic;
pub mod document;
pub mod facts;
pub mod fix;
pub mod index;
pub mod ipynb;
pub mod ipynb_edit;
pub mod magics;
pub mod names;
pub mod noqa;
pub mod percent;
pub mod python_version;
pub mod relevance;
pub mod rules;
pub mod selector;
pub mod settings;
pub mod teardown;
pub mod unit;

pub use check::check_document;
pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
pub use document::{Document, SourceKind, UnitSlot};
pub use python_version::PythonVersion;
pub use settings::{LoopMode, RuleOptions, Settings, Target};
