//! The document-level index: facts that cross cells. Built from every unit's
//! [`UnitFacts`](super::facts::UnitFacts) after each update, without re-walking any tree.

use std::hash::{Hash, Hasher};
use std::ops::Deref;

use ruff_python_ast::Expr;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::document::{SourceKind, UnitSlot};
use super::facts::{Forever, UnitFacts};
use super::names::{head_name, with_tail};
use super::python_version::PythonVersion;
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

/// The async library a document (or a function) is written for: the one whose APIs the
/// messages and fixes name, and whose semantics library-specific rules apply. Decided
/// once per document by [`Library::decide`] and read by rules only through
/// `Checker::library`, which lets a function's own imports decide inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Library {
    Trio,
    /// anyio runs on either loop; its APIs are what the code calls.
    Anyio,
    Asyncio,
    /// Nothing decides: a script that imports no loop library (or both trio and asyncio)
    /// under `loop = "auto"`. Rules treat it as trio, flake8-async's default library, so
    /// that every suggestion in such a file names the same library
    /// ([`Library::suggested`]).
    Undecided,
}

impl Library {
    /// The library module-level imports decide: anyio if it is imported (with or without
    /// the others), else trio or asyncio if exactly one of them is. `imports` tells
    /// whether a top-level module is imported.
    pub fn from_imports(imports: impl Fn(&str) -> bool) -> Option<Library> {
        if imports("anyio") {
            return Some(Library::Anyio);
        }
        match (imports("trio"), imports("asyncio")) {
            (true, false) => Some(Library::Trio),
            (false, true) => Some(Library::Asyncio),
            _ => None,
        }
    }

    /// The document's library, in this order: its module-level imports (all cells' in a
    /// notebook or cell file, [`Library::from_imports`]); else the loop a `%autoawait`
    /// line or the `loop` setting chooses; else, in a document with cells, asyncio, the
    /// loop its cells run on when nothing decides (`exec::loop_kind`); else undecided.
    pub fn decide(
        imports: impl Fn(&str) -> bool,
        loop_: Loop,
        source: LoopSource,
        kind: SourceKind,
    ) -> Library {
        if let Some(library) = Library::from_imports(imports) {
            return library;
        }
        match (loop_, source) {
            (Loop::Trio, LoopSource::Autoawait | LoopSource::Configuration) => Library::Trio,
            (Loop::Asyncio, LoopSource::Autoawait | LoopSource::Configuration) => Library::Asyncio,
            _ if kind.has_cells() => Library::Asyncio,
            _ => Library::Undecided,
        }
    }

    /// The library suggestions name: undecided reads as trio. Never `Undecided`.
    pub fn suggested(self) -> Library {
        match self {
            Library::Undecided => Library::Trio,
            other => other,
        }
    }

    /// Whether trio's semantics apply (trio, or undecided, which reads as trio).
    pub fn is_trio(self) -> bool {
        self.suggested() == Library::Trio
    }

    /// The library's module name.
    pub fn name(self) -> &'static str {
        match self.suggested() {
            Library::Anyio => "anyio",
            Library::Asyncio => "asyncio",
            Library::Trio | Library::Undecided => "trio",
        }
    }

    /// The expression that names the library's cancellation exception.
    pub fn cancelled(self) -> &'static str {
        match self.suggested() {
            Library::Anyio => "anyio.get_cancelled_exc_class()",
            Library::Asyncio => "asyncio.CancelledError",
            Library::Trio | Library::Undecided => "trio.Cancelled",
        }
    }

    /// The cheapest call that checkpoints.
    pub fn checkpoint_call(self) -> &'static str {
        match self.suggested() {
            Library::Anyio => "anyio.lowlevel.checkpoint()",
            Library::Asyncio => "asyncio.sleep(0)",
            Library::Trio | Library::Undecided => "trio.lowlevel.checkpoint()",
        }
    }

    /// How to run a sync function on a worker thread.
    pub fn to_thread(self) -> &'static str {
        match self.suggested() {
            Library::Anyio => "anyio.to_thread.run_sync",
            Library::Asyncio => "asyncio.to_thread",
            Library::Trio | Library::Undecided => "trio.to_thread.run_sync",
        }
    }
}

/// A task started at cell top level that can outlive its cell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BackgroundStart {
    /// Position of the unit that starts it.
    pub position: usize,
    /// Where, as users find it: `cell 3` in a notebook (numbered like `asyncell check`
    /// and Ruff number notebook cells: 1-based, markdown cells included), `line 12` in a
    /// `.py` file.
    pub place: String,
    /// The call as written, shortened.
    pub call: String,
}

/// A top-level name bound to an object of a known constructor.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectBinding {
    /// The constructor, resolved through the imports (`trio.Event`, `asyncio.Queue`).
    pub qualified: String,
    /// Where it was made, as in [`BackgroundStart::place`]. Only kept when IPython runs
    /// each cell in its own `trio.run` ([`DocumentIndex::cells_run_separately`]), the
    /// one case a message names it: lines move with every edit above them, and the
    /// index fingerprint includes what it keeps.
    pub place: Option<String>,
}

/// The index: everything a unit's diagnostics may read about the other units, and the
/// fingerprint of it that keys the per-unit result cache (`check.rs`). The fingerprint
/// hashes [`IndexData`] whole (and the settings), so whatever the index comes to hold is
/// in the key by construction: there is no list of fields to keep up to date. Rules read
/// the data through `Deref`.
#[derive(Clone, Debug)]
pub struct DocumentIndex {
    data: IndexData,
    /// Changes whenever anything a unit's diagnostics may depend on changes.
    pub fingerprint: u64,
}

impl Deref for DocumentIndex {
    type Target = IndexData;

    fn deref(&self) -> &IndexData {
        &self.data
    }
}

/// What the index knows. Every field takes part in the fingerprint (`#[derive(Hash)]`);
/// hash maps and sets hash as their sorted entries ([`Unordered`]).
#[derive(Clone, Debug, Hash)]
pub struct IndexData {
    pub kind: SourceKind,
    pub target: Target,
    pub target_version: PythonVersion,
    pub loop_: Loop,
    pub loop_source: LoopSource,
    /// The document's library ([`Library::decide`]); rules read it through
    /// `Checker::library`, which applies function-local imports first.
    pub library: Library,
    /// The checked file's top-level package ([`Settings::package`]).
    pub package: Option<String>,
    imports: Unordered<FxHashMap<String, String>>,
    modules: Unordered<FxHashSet<String>>,
    async_functions: Unordered<FxHashSet<String>>,
    /// Names bound by a top-level `def`, `class` or assignment and by no `async def`.
    sync_bindings: Unordered<FxHashSet<String>>,
    thread_targets: Unordered<FxHashSet<String>>,
    /// Tasks started at cell top level that can outlive their cell, in document order.
    pub background_starts: Vec<BackgroundStart>,
    /// In a document with cells, the first unit with `from __future__ import
    /// annotations`: the cells run after it have postponed annotations too, as in IPython
    /// and asyncell's host, which keep a cell's future imports for the cells after it.
    pub future_annotations_from: Option<usize>,
    /// For each name some unit binds to an endless `async def`, every unit binding it, in
    /// order, with the reason when that binding never returns.
    forever_bindings: Unordered<FxHashMap<String, Vec<(usize, Option<&'static str>)>>>,
    /// For each name some unit binds to a synchronization object or nursery, every unit
    /// binding it, in order, with the object when that binding is one.
    object_bindings: Unordered<FxHashMap<String, Vec<(usize, Option<ObjectBinding>)>>>,
}

/// A hash map or set that hashes as its entries in key order, so that equal contents
/// hash equally whatever order they were inserted in.
#[derive(Clone, Debug, Default)]
struct Unordered<T>(T);

impl<T> Deref for Unordered<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<K: Ord + Hash, V: Hash> Hash for Unordered<FxHashMap<K, V>> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut entries: Vec<(&K, &V)> = self.0.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        entries.hash(state);
    }
}

impl<K: Ord + Hash> Hash for Unordered<FxHashSet<K>> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut entries: Vec<&K> = self.0.iter().collect();
        entries.sort_unstable();
        entries.hash(state);
    }
}

impl DocumentIndex {
    pub fn build(kind: SourceKind, slots: &[UnitSlot], settings: &Settings) -> DocumentIndex {
        let mut imports = FxHashMap::default();
        let mut modules = FxHashSet::default();
        let mut async_defs = FxHashSet::default();
        let mut sync_defs = FxHashSet::default();
        let mut thread_targets = FxHashSet::default();
        let mut autoawait = None;
        let mut any_starts = false;
        let mut any_forever = false;
        let mut any_objects = false;
        for slot in slots {
            let unit = &slot.unit.facts;
            for binding in &unit.imports {
                let module = binding.qualified.split('.').next().unwrap_or_default();
                modules.insert(module.to_string());
                imports.insert(binding.local.clone(), binding.qualified.clone());
            }
            async_defs.extend(unit.async_defs.iter().cloned());
            sync_defs.extend(unit.sync_defs.iter().cloned());
            thread_targets.extend(unit.thread_targets.iter().cloned());
            autoawait = autoawait.or(unit.autoawait);
            any_starts |= !unit.task_starts.is_empty();
            any_forever |= !unit.forever_defs.is_empty();
            any_objects |= !unit.objects.is_empty();
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

        let library = Library::decide(|m| modules.contains(m), loop_, loop_source, kind);
        let cells_run_separately = cells_run_separately(kind, settings.target, loop_, loop_source);
        let place = |slot: &UnitSlot, position: usize, line: u32| match kind {
            SourceKind::Notebook => format!("cell {}", slot.cell.unwrap_or(position) + 1),
            SourceKind::CellFile | SourceKind::Script => {
                format!(
                    "line {}",
                    slot.start_line.saturating_add(line).saturating_add(1)
                )
            }
        };
        // Only cells have background tasks (LOOP400); a script's would only put line
        // numbers into the fingerprint.
        let background_starts = if any_starts && kind.has_cells() {
            slots
                .iter()
                .enumerate()
                .flat_map(|(position, slot)| {
                    slot.unit
                        .facts
                        .task_starts
                        .iter()
                        .filter(|start| start.outlives_cell())
                        .map(move |start| BackgroundStart {
                            position,
                            place: place(slot, position, start.line),
                            call: start.call.clone(),
                        })
                })
                .collect()
        } else {
            Vec::new()
        };
        let forever_bindings = if any_forever {
            bindings_by_unit(
                slots,
                |facts| facts.forever_defs.iter().map(|def| def.name.as_str()),
                |_, slot, name| {
                    let def = slot
                        .unit
                        .facts
                        .forever_defs
                        .iter()
                        .find(|def| def.name == name)?;
                    match &def.why {
                        Forever::WhileTrue => {
                            Some("`while True` without `break`, `return` or `raise`")
                        }
                        Forever::SleepForever(callee) => matches!(
                            resolve(&imports, callee).as_str(),
                            "trio.sleep_forever" | "anyio.sleep_forever"
                        )
                        .then_some("it awaits `sleep_forever()`"),
                    }
                },
            )
        } else {
            FxHashMap::default()
        };
        let object_bindings = if any_objects {
            bindings_by_unit(
                slots,
                |facts| facts.objects.iter().map(|object| object.name.as_str()),
                |position, slot, name| {
                    let facts = &slot.unit.facts;
                    let object = facts.objects.iter().find(|object| object.name == name)?;
                    let place = cells_run_separately.then(|| place(slot, position, object.line));
                    Some(ObjectBinding {
                        qualified: resolve(&imports, &object.constructor),
                        place,
                    })
                },
            )
        } else {
            FxHashMap::default()
        };

        let future_annotations_from = kind
            .has_cells()
            .then(|| {
                slots.iter().position(|slot| {
                    slot.unit
                        .facts
                        .imports
                        .iter()
                        .any(|import| import.qualified == "__future__.annotations")
                })
            })
            .flatten();
        let data = IndexData {
            kind,
            target: settings.target,
            target_version: settings.target_version,
            loop_,
            loop_source,
            library,
            package: settings.package.clone(),
            imports: Unordered(imports),
            modules: Unordered(modules),
            async_functions: Unordered(async_functions),
            sync_bindings: Unordered(sync_bindings),
            thread_targets: Unordered(thread_targets),
            background_starts,
            future_annotations_from,
            forever_bindings: Unordered(forever_bindings),
            object_bindings: Unordered(object_bindings),
        };
        let mut hasher = FxHasher::default();
        (&data, settings).hash(&mut hasher);
        DocumentIndex {
            data,
            fingerprint: hasher.finish(),
        }
    }
}

impl IndexData {
    /// The fully qualified name an expression refers to, resolving import aliases. A bare
    /// name that no import binds resolves to itself (`input`, a local `f`).
    pub fn qualified_name(&self, expr: &Expr) -> Option<String> {
        let head = head_name(expr)?;
        let head = self.imports.get(head).map_or(head, String::as_str);
        Some(with_tail(head, expr))
    }

    /// Whether a module is imported at module level anywhere in the document (in any
    /// cell). Rules ask `Checker::imports_module`, which adds the enclosing functions'
    /// own imports.
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

    /// Whether IPython runs each cell in a `trio.run` of its own: target `ipython` with
    /// `%autoawait trio`, in a notebook or cell file.
    pub fn cells_run_separately(&self) -> bool {
        cells_run_separately(self.kind, self.target, self.loop_, self.loop_source)
    }

    /// Why `name`, as the units before `position` leave it bound, is an `async def` that
    /// never returns; `None` if it is not, or something rebound it since.
    pub fn forever_before(&self, name: &str, position: usize) -> Option<&'static str> {
        last_before(self.forever_bindings.get(name)?, position)?
            .as_ref()
            .copied()
    }

    /// Whether any unit binds a top-level name to a synchronization object or nursery.
    /// Checked first by rules that look at every name.
    pub fn has_objects(&self) -> bool {
        !self.object_bindings.is_empty()
    }

    /// The object `name` is bound to as the units before `position` leave it, if it is
    /// one of a known constructor (and nothing rebound it since).
    pub fn object_before(&self, name: &str, position: usize) -> Option<&ObjectBinding> {
        last_before(self.object_bindings.get(name)?, position)?.as_ref()
    }
}

fn cells_run_separately(kind: SourceKind, target: Target, loop_: Loop, source: LoopSource) -> bool {
    kind.has_cells()
        && target == Target::Ipython
        && loop_ == Loop::Trio
        && source == LoopSource::Autoawait
}

/// The last binding made by a unit before `position`.
fn last_before<T>(bindings: &[(usize, Option<T>)], position: usize) -> Option<&Option<T>> {
    bindings
        .iter()
        .take_while(|(unit, _)| *unit < position)
        .last()
        .map(|(_, binding)| binding)
}

/// For each name `names` yields from some unit, every unit that binds it (in order),
/// with `value` of its binding: `None` for a unit that binds the name otherwise.
fn bindings_by_unit<'s, T, N, I>(
    slots: &'s [UnitSlot],
    names: N,
    value: impl Fn(usize, &'s UnitSlot, &str) -> Option<T>,
) -> FxHashMap<String, Vec<(usize, Option<T>)>>
where
    N: Fn(&'s UnitFacts) -> I,
    I: Iterator<Item = &'s str>,
{
    let mut wanted: FxHashSet<&str> = FxHashSet::default();
    for slot in slots {
        wanted.extend(names(&slot.unit.facts));
    }
    let mut bindings: FxHashMap<String, Vec<(usize, Option<T>)>> = FxHashMap::default();
    for name in wanted {
        let list: Vec<_> = slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.unit.facts.binds(name))
            .map(|(position, slot)| (position, value(position, slot, name)))
            .collect();
        if list.iter().any(|(_, binding)| binding.is_some()) {
            bindings.insert(name.to_string(), list);
        }
    }
    bindings
}

/// A dotted name as written, with its head resolved through the imports.
fn resolve(imports: &FxHashMap<String, String>, dotted: &str) -> String {
    let (head, rest) = match dotted.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (dotted, None),
    };
    match (imports.get(head), rest) {
        (Some(qualified), Some(rest)) => format!("{qualified}.{rest}"),
        (Some(qualified), None) => qualified.clone(),
        (None, _) => dotted.to_string(),
    }
}
