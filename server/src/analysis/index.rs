//! The document-level index: facts that cross cells. Built from every unit's
//! [`UnitFacts`](super::facts::UnitFacts) after each update, without re-walking any tree.

use std::hash::{Hash, Hasher};

use ruff_python_ast::Expr;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::document::SourceKind;
use super::facts::UnitFacts;
use super::names::{head_name, with_tail};
use super::settings::{LoopMode, Settings, Target};

/// The loop a document's cells run on, once `auto` is resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Loop {
    Trio,
    Asyncio,
    /// `auto` with nothing to go on (no loop library imported, or both).
    Unknown,
}

/// Where the loop decision came from, so messages can say why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoopSource {
    Autoawait,
    Configuration,
    Imports,
    Default,
}

#[derive(Clone, Debug)]
pub struct DocumentIndex {
    pub kind: SourceKind,
    pub target: Target,
    pub loop_: Loop,
    pub loop_source: LoopSource,
    imports: FxHashMap<String, String>,
    modules: FxHashSet<String>,
    async_functions: FxHashSet<String>,
    /// Names bound by a top-level `def`, `class` or assignment and by no `async def`.
    sync_bindings: FxHashSet<String>,
    thread_targets: FxHashSet<String>,
    /// For each unit, the earlier units (by position) that start background tasks.
    pub task_starting_units: Vec<usize>,
    /// Changes whenever anything a unit's diagnostics may depend on changes.
    pub fingerprint: u64,
}

impl DocumentIndex {
    pub fn build<'a>(
        kind: SourceKind,
        facts: impl Iterator<Item = &'a UnitFacts> + Clone,
        settings: &Settings,
    ) -> DocumentIndex {
        let mut imports = FxHashMap::default();
        let mut modules = FxHashSet::default();
        let mut async_defs = FxHashSet::default();
        let mut sync_defs = FxHashSet::default();
        let mut thread_targets = FxHashSet::default();
        let mut autoawait = None;
        let mut task_starting_units = Vec::new();
        for (position, unit) in facts.clone().enumerate() {
            for binding in &unit.imports {
                let module = binding.qualified.split('.').next().unwrap_or_default();
                modules.insert(module.to_string());
                imports.insert(binding.local.clone(), binding.qualified.clone());
            }
            async_defs.extend(unit.async_defs.iter().cloned());
            sync_defs.extend(unit.sync_defs.iter().cloned());
            thread_targets.extend(unit.thread_targets.iter().cloned());
            autoawait = autoawait.or(unit.autoawait);
            if !unit.task_starts.is_empty() {
                task_starting_units.push(position);
            }
        }
        // A name also bound synchronously somewhere is ambiguous: don't guess.
        let async_functions: FxHashSet<String> =
            async_defs.difference(&sync_defs).cloned().collect();
        let sync_bindings: FxHashSet<String> = sync_defs.difference(&async_defs).cloned().collect();

        let (loop_, loop_source) = match (autoawait, settings.loop_mode) {
            (Some(LoopMode::Trio), _) => (Loop::Trio, LoopSource::Autoawait),
            (Some(LoopMode::Asyncio), _) => (Loop::Asyncio, LoopSource::Autoawait),
            (_, LoopMode::Trio) => (Loop::Trio, LoopSource::Configuration),
            (_, LoopMode::Asyncio) => (Loop::Asyncio, LoopSource::Configuration),
            _ => match (modules.contains("trio"), modules.contains("asyncio")) {
                (true, false) => (Loop::Trio, LoopSource::Imports),
                (false, true) => (Loop::Asyncio, LoopSource::Imports),
                _ => (Loop::Unknown, LoopSource::Default),
            },
        };

        let mut hasher = FxHasher::default();
        (kind, settings.target, loop_, loop_source).hash(&mut hasher);
        let mut sorted: Vec<_> = imports.iter().collect();
        sorted.sort();
        sorted.hash(&mut hasher);
        let mut sorted: Vec<_> = async_functions.iter().collect();
        sorted.sort();
        sorted.hash(&mut hasher);
        let mut sorted: Vec<_> = thread_targets.iter().collect();
        sorted.sort();
        sorted.hash(&mut hasher);
        task_starting_units.hash(&mut hasher);
        settings.hash(&mut hasher);

        DocumentIndex {
            kind,
            target: settings.target,
            loop_,
            loop_source,
            imports,
            modules,
            async_functions,
            sync_bindings,
            thread_targets,
            task_starting_units,
            fingerprint: hasher.finish(),
        }
    }

    /// The fully qualified name an expression refers to, resolving import aliases. A bare
    /// name that no import binds resolves to itself (`input`, a local `f`).
    pub fn qualified_name(&self, expr: &Expr) -> Option<String> {
        let head = head_name(expr)?;
        let head = self.imports.get(head).map_or(head, String::as_str);
        Some(with_tail(head, expr))
    }

    /// Whether a module was imported anywhere in the document.
    pub fn imports_module(&self, module: &str) -> bool {
        self.modules.contains(module)
    }

    /// Whether `name` is an `async def` of this document (and nothing rebinds it).
    pub fn is_async_function(&self, name: &str) -> bool {
        self.async_functions.contains(name)
    }

    /// Whether `name` is bound only synchronously at top level (a `def`, a class, an
    /// assignment): calling it does not create a coroutine.
    pub fn is_sync_binding(&self, name: &str) -> bool {
        self.sync_bindings.contains(name)
    }

    /// Whether `name` is a function some code hands to another thread.
    pub fn is_thread_target(&self, name: &str) -> bool {
        self.thread_targets.contains(name)
    }
}
