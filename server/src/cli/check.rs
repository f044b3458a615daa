//! `asyncell check`: the same engine as the language server, over files on disk. In
//! `check/`: fixes and stdin (`fixes.rs`, `write.rs`), and the output formats, one file
//! each over an owned [`Finding`], with `--statistics` and `--config` overrides.

mod cache;
mod concise;
mod emit;
mod finding;
mod fingerprint;
mod fixes;
mod full;
mod github;
mod gitlab;
mod json;
mod junit;
mod output_format;
mod overrides;
mod run_time;
mod sarif;
mod statistics;
mod style;
mod write;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::Args;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::{relevance, LoopMode, PythonVersion, Target};
use crate::config::{self, ConfigLayer};
use crate::selection::{self, CliSelection, Exclusions, PerFileIgnores};
use crate::source;

use finding::Finding;
pub use output_format::{OutputFormat, OUTPUT_FORMAT_ENV};
pub use run_time::{run_time_findings, run_time_findings_in_cells};
use style::Palette;

/// What the rule snapshot tests (`tests/rule_snapshots.rs`) render with, so a snapshot
/// shows exactly what `asyncell check` prints: a diagnostic as `--output-format full`
/// shows it (uncoloured), and a fix as `--diff` shows it.
pub mod render {
    use std::path::Path;

    use super::finding::Finding;
    use super::style::Palette;
    use crate::analysis::{Diagnostic, UnitSlot};

    /// `path:row:col: CODE [*] message`, the source line(s) with a caret span and the
    /// fix's title; `fixable` is whether this run would apply the fix (the `[*]`).
    pub fn full(path: &Path, slot: &UnitSlot, diagnostic: &Diagnostic, fixable: bool) -> String {
        super::full::block(
            &Finding::new(path, slot, diagnostic, None, fixable),
            Palette::PLAIN,
        )
    }

    /// The unified diff of one text, as `--diff` prints it for a `.py` file.
    pub fn diff(name: &str, before: &str, after: &str) -> String {
        super::fixes::unified(before, after, name)
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories (default: the current directory). Directories are walked for
    /// .py and .ipynb files, honouring .gitignore. `-` reads standard input (see
    /// --stdin-filename).
    pub paths: Vec<PathBuf>,
    /// How findings are printed. Default: $ASYNCELL_OUTPUT_FORMAT, else `full` when stdout
    /// is a terminal and `concise` when it is not (pipes, pre-commit, CI logs). The last
    /// one given wins, so a hook's `args` can override its entry's.
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        overrides_with = "output_format"
    )]
    pub output_format: Option<OutputFormat>,
    /// Loop mode: trio, asyncio or auto.
    #[arg(long = "loop", value_parser = parse_loop)]
    pub loop_mode: Option<LoopMode>,
    /// Target semantics: asyncell (every cell on one loop) or ipython.
    #[arg(long, value_parser = parse_target)]
    pub target: Option<Target>,
    /// The oldest Python the code must run on: py310, py311, py312, py313 or py314.
    /// Default: `target-version` in [tool.asyncell], else the lower bound of
    /// `requires-python` in that pyproject.toml, else py310.
    #[arg(long, value_name = "VERSION")]
    pub target_version: Option<PythonVersion>,
    /// Only these codes or prefixes (comma-separated, case-insensitive; `ALL` for every
    /// rule). A selector that matches no rule is an error.
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Skip these codes or prefixes (comma-separated, case-insensitive).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Option<Vec<String>>,
    /// Also these codes or prefixes, on top of `select` (or of the default rules).
    #[arg(long, value_delimiter = ',', value_name = "SELECTORS")]
    pub extend_select: Option<Vec<String>>,
    /// Also skip these codes or prefixes, on top of `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "SELECTORS")]
    pub extend_ignore: Option<Vec<String>>,
    /// A [tool.asyncell] setting as TOML `KEY = VALUE` (e.g. 'loop = "trio"'), above every
    /// other setting and flag; repeat for more. An unknown key is an error (exit 2).
    #[arg(long = "config", value_name = "KEY=VALUE", value_parser = overrides::parse_override)]
    pub config_overrides: Vec<ConfigLayer>,
    /// Link each finding to its rule's page: `{code}` in URL is replaced by the code,
    /// else the code is appended (e.g. https://example.org/asyncell/rules/). Without it
    /// (or `rule-url-base` in [tool.asyncell]) findings carry no URL.
    #[arg(long, value_name = "URL")]
    pub rule_url_base: Option<String>,
    /// Exit 0 even when there are findings (errors reading files or configuration still
    /// exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Print how many findings each code has, most frequent first, instead of the
    /// findings (JSON with --output-format json).
    #[arg(long)]
    pub statistics: bool,
    /// Print findings only: no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    /// Leave out files and directories matching these globs (comma-separated), instead
    /// of the configured `exclude` and the defaults (.venv, venv, build, dist, .git,
    /// node_modules, site-packages, ...). Relative to the current directory.
    #[arg(long, value_delimiter = ',', value_name = "PATTERNS")]
    pub exclude: Option<Vec<String>>,
    /// Leave these out as well (comma-separated globs, relative to the current directory).
    #[arg(long, value_delimiter = ',', value_name = "PATTERNS")]
    pub extend_exclude: Vec<String>,
    /// Apply the exclusions to paths named on the command line too (pre-commit names
    /// every staged file).
    #[arg(long, overrides_with = "no_force_exclude")]
    pub force_exclude: bool,
    #[arg(long, overrides_with = "force_exclude", hide = true)]
    pub no_force_exclude: bool,
    /// Ignore every pyproject.toml: only the command line configures the check.
    #[arg(long)]
    pub isolated: bool,
    /// Do not read or write the result cache (also: ASYNCELL_NO_CACHE=1).
    #[arg(long)]
    pub no_cache: bool,
    /// Where the result cache lives. Default: $ASYNCELL_CACHE_DIR, else `.asyncell_cache`
    /// in the project root of the current directory (the nearest directory with a
    /// pyproject.toml, else with .git), else in the current directory. Plain checks of
    /// files on disk use it; --fix, --diff and stdin bypass it.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    #[command(flatten)]
    pub fixes: fixes::FixArgs,
}

fn parse_loop(s: &str) -> Result<LoopMode, String> {
    s.parse()
}

fn parse_target(s: &str) -> Result<Target, String> {
    s.parse()
}

/// One file's outcome, already rendered so its parsed document can be dropped inside the
/// parallel phase (holding every tree until the end doubles peak memory).
enum Outcome {
    Checked {
        path: PathBuf,
        findings: Vec<Finding>,
        fixes: fixes::FileFixes,
    },
    Failed {
        path: PathBuf,
        error: String,
    },
    /// The file's pyproject.toml is unusable; its errors are reported once per file.
    Unconfigured {
        path: PathBuf,
        pyproject_errors: Vec<String>,
    },
}

pub fn run(args: CheckArgs) -> ExitCode {
    let format = match OutputFormat::resolve(args.output_format) {
        Ok(format) => format,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let mut cli_layer = ConfigLayer {
        loop_mode: args.loop_mode,
        target: args.target,
        target_version: args.target_version,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        extend_select: args.extend_select.clone(),
        extend_ignore: args.extend_ignore.clone(),
        rule_url_base: args.rule_url_base.clone(),
        ..ConfigLayer::default()
    };
    // A bad selector on the command line is a usage error: nothing is checked, because
    // a check that silently runs fewer rules than asked would pass when it should fail.
    let mut selector_errors = cli_layer.validate_selectors(&|key| format!("--{key}"));
    for mut layer in args.config_overrides.iter().cloned() {
        selector_errors.extend(layer.validate_selectors(&|key| format!("--config {key}")));
        cli_layer = cli_layer.merged(&layer);
    }
    if !selector_errors.is_empty() {
        for error in selector_errors {
            eprintln!("error: {error}");
        }
        return ExitCode::from(2);
    }
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let options = args.fixes.options();
    // `--stdin-filename` without a path means stdin too, as in Ruff.
    let reads_stdin = roots.iter().any(|root| root.as_os_str() == "-")
        || (args.paths.is_empty() && args.fixes.stdin_filename.is_some());
    if reads_stdin && roots.len() > 1 {
        eprintln!("error: `-` (standard input) must be the only path");
        return ExitCode::from(2);
    }
    let mut usage_errors = Vec::new();
    let configs = Arc::new(ConfigCache {
        isolated: args.isolated,
        selection: CliSelection {
            exclude: args.exclude.clone(),
            extend_exclude: args.extend_exclude.clone(),
            force_exclude: match (args.force_exclude, args.no_force_exclude) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
        },
        ..ConfigCache::default()
    });
    let cache = match reads_stdin {
        true => None,
        false => cache::ResultCache::open(args.cache_dir.clone(), args.no_cache, options),
    };
    let mut outcomes: Vec<Outcome> = if reads_stdin {
        let name = args
            .fixes
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        let mut bytes = Vec::new();
        let read = std::io::stdin()
            .read_to_end(&mut bytes)
            .map(|_| bytes)
            .map_err(|error| format!("cannot read standard input: {error}"));
        let input = Input {
            path: &name,
            read,
            from_stdin: true,
        };
        vec![check_input(input, &configs, &cli_layer, options, None)]
    } else {
        let files = collect_files(&roots, &configs, &mut usage_errors);
        files
            .par_iter()
            .map(|path| {
                let input = Input {
                    path,
                    read: source::read_regular_file(path).map_err(|error| error.to_string()),
                    from_stdin: false,
                };
                check_input(input, &configs, &cli_layer, options, cache.as_ref())
            })
            .collect()
    };
    if let Some(cache) = &cache {
        cache.log_counts();
    }
    outcomes.sort_by(|a, b| a.path().cmp(b.path()));
    // With stdin under --fix, stdout carries the fixed text: findings go to stderr.
    let stdin_fixed = reads_stdin && options.mode == fixes::FixMode::Apply;

    let mut failures = usage_errors.len();
    let stdout = std::io::stdout();
    let mut out: Box<dyn Write> = if stdin_fixed {
        Box::new(std::io::stderr().lock())
    } else {
        Box::new(stdout.lock())
    };
    let mut findings = Vec::new();
    let mut checked = Vec::new();
    let mut files_with_findings = 0usize;
    let mut failed = Vec::new();
    let (mut fixable, mut hidden, mut fixed_total, mut diffs) = (0, 0, 0, 0);
    let mut fixed_per_file = Vec::new();
    for error in &usage_errors {
        eprintln!("error: {error}");
    }
    let mut unconfigured: Vec<(Vec<String>, usize)> = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Failed { path, error } => {
                failures += 1;
                eprintln!("error: {}: {error}", path.display());
                failed.push((path, error));
            }
            Outcome::Unconfigured {
                pyproject_errors, ..
            } => match unconfigured
                .iter_mut()
                .find(|(errors, _)| *errors == pyproject_errors)
            {
                Some((_, files)) => *files += 1,
                None => unconfigured.push((pyproject_errors, 1)),
            },
            Outcome::Checked {
                path,
                findings: found,
                fixes,
            } => {
                files_with_findings += usize::from(!found.is_empty());
                checked.push(path.clone());
                fixable += fixes.fixable;
                hidden += fixes.hidden;
                fixed_total += fixes.fixed_total();
                if stdin_fixed {
                    // The fixed text, or the text unchanged: a pipe must get the file back.
                    let _ = std::io::stdout().write_all(fixes.new_bytes.as_deref().unwrap_or(&[]));
                }
                if let Some(diff) = &fixes.diff {
                    diffs += 1;
                    let _ = std::io::stdout().write_all(diff.as_bytes());
                }
                if !fixes.fixed.is_empty() {
                    fixed_per_file.push((path, fixes.fixed));
                }
                findings.extend(found);
            }
        }
    }
    // --diff prints the diffs only, as Ruff does.
    if options.mode != fixes::FixMode::Diff {
        let palette = match format {
            OutputFormat::Full | OutputFormat::Concise => Palette::for_stdout(),
            _ => Palette::PLAIN,
        };
        let report = emit::Report {
            findings: &findings,
            checked: &checked,
            failed: &failed,
        };
        let _ = out.write_all(emit::render(format, args.statistics, &report, palette).as_bytes());
    }
    // A broken pyproject.toml shared by many files is reported once, after the findings.
    for (errors, files) in &unconfigured {
        failures += 1;
        for error in errors {
            eprintln!("error: {error}");
        }
        match files {
            1 => eprintln!("  (1 file under it not checked)"),
            n => eprintln!("  ({n} files under it not checked)"),
        }
    }
    if args.fixes.show_fixes && options.mode == fixes::FixMode::Apply {
        let listed: Vec<_> = fixed_per_file
            .iter()
            .map(|(p, c)| (p.as_path(), c))
            .collect();
        let _ = write!(out, "{}", fixes::show_fixes(&listed));
    }
    if format.has_summary() && !args.quiet {
        let (count, files) = (findings.len(), checked.len());
        let summary = match options.mode {
            fixes::FixMode::Diff => fixes::diff_summary(fixed_total, diffs, count, failures),
            fixes::FixMode::Apply => {
                fixes::apply_summary(fixed_total, count, &plural_files(files), failures)
                    .unwrap_or_else(|| summary(count, files, files_with_findings, failures))
            }
            fixes::FixMode::Report => summary(count, files, files_with_findings, failures),
        };
        eprintln!("{summary}");
        if let Some(hint) = fixes::fixable_hint(fixable, hidden, options.mode) {
            eprintln!("{hint}");
        }
    }
    let _ = out.flush();
    drop(out);
    let _ = std::io::stdout().flush();
    if failures > 0 {
        ExitCode::from(2)
    } else if options.mode == fixes::FixMode::Diff {
        // Whether there is anything to fix, as for a formatter's --check.
        ExitCode::from(u8::from(diffs > 0))
    } else if (!findings.is_empty() && !args.exit_zero)
        || (args.fixes.exit_non_zero_on_fix && fixed_total > 0)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn plural_files(files: usize) -> String {
    match files {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    }
}

/// The closing line. "All checks passed" only when every file named could be checked:
/// after an error it would read as a pass in a CI log that shows only the last line.
/// Findings are counted in the files that have them: "in 2 of 40 files" when not all do.
fn summary(findings: usize, checked: usize, with_findings: usize, failures: usize) -> String {
    let plural = |n: usize, one: &str, many: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    };
    let files = plural_files(checked);
    let found_in = if with_findings == checked {
        files.clone()
    } else {
        format!("{with_findings} of {files}")
    };
    match (findings, failures) {
        (0, 0) => format!("All checks passed ({files})."),
        (n, 0) => format!("Found {} in {found_in}.", plural(n, "error", "errors")),
        (0, f) if checked == 0 => format!(
            "No files checked: {} (above).",
            plural(f, "problem", "problems")
        ),
        (0, f) => format!(
            "No findings in the {files} checked, but {} (above) stopped checking.",
            plural(f, "problem", "problems")
        ),
        (n, f) => format!(
            "Found {} in {found_in}; {} (above) stopped checking.",
            plural(n, "error", "errors"),
            plural(f, "problem", "problems")
        ),
    }
}

impl Outcome {
    fn path(&self) -> &Path {
        match self {
            Outcome::Checked { path, .. }
            | Outcome::Failed { path, .. }
            | Outcome::Unconfigured { path, .. } => path,
        }
    }
}

fn collect_files(
    roots: &[PathBuf],
    configs: &Arc<ConfigCache>,
    errors: &mut Vec<String>,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in roots {
        // Named explicitly, a FIFO, device or socket is an error (it was asked for and
        // cannot be checked); met during a walk it is skipped, as Ruff does, since only
        // regular .py and .ipynb files are looked for there.
        let is_dir = match std::fs::metadata(root) {
            Ok(metadata) if metadata.is_file() => false,
            Ok(metadata) if metadata.is_dir() => true,
            Ok(metadata) => {
                let kind = source::read::special_kind(metadata.file_type());
                let error = source::ReadError::NotRegular(kind.unwrap_or("not a regular file"));
                errors.push(format!("{}: {error}", root.display()));
                continue;
            }
            Err(error) => {
                let error = source::ReadError::Io(error);
                errors.push(format!("{}: {error}", root.display()));
                continue;
            }
        };
        // A path named on the command line is checked even if excluded, unless
        // `force-exclude` says otherwise.
        match configs.exclusions_for(root, is_dir) {
            Ok(exclusions) if exclusions.excludes_named(root) => continue,
            Ok(_) => {}
            Err(error) => {
                errors.push(error);
                continue;
            }
        }
        if !is_dir {
            if selection::is_checkable(root) {
                files.push(root.clone());
            } else {
                eprintln!(
                    "warning: {}: skipped: not a Python file (.py, .pyi) or notebook (.ipynb)",
                    root.display()
                );
            }
            continue;
        }
        // The walk's filter must own what it uses.
        let problems = Arc::new(Mutex::new(Vec::new()));
        let (filter_configs, filter_problems) = (configs.clone(), problems.clone());
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .filter_entry(move |entry| {
                if entry.depth() == 0 {
                    return true;
                }
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                match filter_configs.exclusions_for(entry.path(), is_dir) {
                    Ok(exclusions) => !exclusions.excludes(entry.path()),
                    Err(error) => {
                        if let Ok(mut problems) = filter_problems.lock() {
                            if !problems.contains(&error) {
                                problems.push(error);
                            }
                        }
                        false
                    }
                }
            })
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    let wanted = path.extension().is_some_and(|e| e == "py" || e == "ipynb");
                    if wanted && entry.file_type().is_some_and(|t| t.is_file()) {
                        files.push(path.to_path_buf());
                    }
                }
                Err(error) => errors.push(error.to_string()),
            }
        }
        let found = problems.lock().map(|mut p| std::mem::take(&mut *p));
        errors.extend(found.unwrap_or_default());
    }
    files.sort();
    files.dedup();
    files
}

/// pyproject.toml layers, each file read and parsed once however many directories share
/// it (a project's tree has dozens of directories under one pyproject.toml).
#[derive(Default)]
struct ConfigCache {
    /// `--isolated`: no pyproject.toml is read.
    isolated: bool,
    selection: CliSelection,
    pyproject_of_dir: Mutex<FxHashMap<PathBuf, Option<PathBuf>>>,
    layer_of_pyproject: Mutex<FxHashMap<PathBuf, Result<ConfigLayer, Vec<String>>>>,
    exclusions_of_pyproject: Mutex<FxHashMap<Option<PathBuf>, Result<Arc<Exclusions>, String>>>,
    ignores_of_pyproject: Mutex<FxHashMap<Option<PathBuf>, Result<Arc<PerFileIgnores>, String>>>,
}

impl ConfigCache {
    /// The pyproject.toml that configures `file` (None: none does, or `--isolated`).
    fn pyproject_of_file(&self, file: &Path) -> Option<PathBuf> {
        self.pyproject_in(file.parent().unwrap_or(Path::new("")))
    }

    /// The pyproject.toml that configures what is in `dir`.
    fn pyproject_in(&self, dir: &Path) -> Option<PathBuf> {
        if self.isolated {
            return None;
        }
        self.pyproject_for(dir.to_path_buf())
    }

    /// What is excluded where `path` is (a directory's own configuration decides for
    /// what is in it). A broken pyproject.toml excludes nothing: its errors are
    /// reported with the files under it.
    fn exclusions_for(&self, path: &Path, is_dir: bool) -> Result<Arc<Exclusions>, String> {
        let pyproject = if is_dir {
            self.pyproject_in(path)
        } else {
            self.pyproject_of_file(path)
        };
        if let Some(cached) = self
            .exclusions_of_pyproject
            .lock()
            .ok()
            .and_then(|map| map.get(&pyproject).cloned())
        {
            return cached;
        }
        let layer = match &pyproject {
            Some(file) => self.layer_for(file).unwrap_or_default(),
            None => ConfigLayer::default(),
        };
        let origin = pyproject.as_ref().map_or_else(
            || "the default exclusions".to_string(),
            |file| format!("{} [tool.asyncell]", file.display()),
        );
        let base = pyproject.as_deref().and_then(Path::parent);
        let exclusions = Exclusions::new(&layer, base, &origin, &self.selection).map(Arc::new);
        if let Ok(mut map) = self.exclusions_of_pyproject.lock() {
            map.insert(pyproject, exclusions.clone());
        }
        exclusions
    }

    /// The file's pyproject.toml and its layer, or every error in it (a parse error, or
    /// each bad selector, named with the file).
    fn layer_and_pyproject_for(
        &self,
        file: &Path,
    ) -> Result<(ConfigLayer, Option<PathBuf>), Vec<String>> {
        match self.pyproject_of_file(file) {
            Some(pyproject) => self
                .layer_for(&pyproject)
                .map(|layer| (layer, Some(pyproject))),
            None => Ok((ConfigLayer::default(), None)),
        }
    }

    /// `per-file-ignores` of the files `pyproject` configures, compiled once: `layer` is
    /// its layer merged with the command line's, which is the same for every file.
    /// Patterns from the command line are relative to the current directory, those of a
    /// pyproject.toml to its directory.
    fn ignores_for(
        &self,
        pyproject: Option<PathBuf>,
        layer: &ConfigLayer,
        cli_layer: &ConfigLayer,
    ) -> Result<Arc<PerFileIgnores>, String> {
        if let Some(cached) = self
            .ignores_of_pyproject
            .lock()
            .ok()
            .and_then(|map| map.get(&pyproject).cloned())
        {
            return cached;
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        let base = match pyproject.as_deref().and_then(Path::parent) {
            Some(dir) if cli_layer.per_file_ignores.is_none() => dir.to_path_buf(),
            _ => cwd,
        };
        let ignores =
            PerFileIgnores::new(layer.per_file_ignores.as_ref(), &base, "[tool.asyncell]")
                .map(Arc::new);
        if let Ok(mut map) = self.ignores_of_pyproject.lock() {
            map.insert(pyproject, ignores.clone());
        }
        ignores
    }

    /// A pyproject.toml's layer, read and validated once.
    fn layer_for(&self, pyproject: &Path) -> Result<ConfigLayer, Vec<String>> {
        let pyproject = pyproject.to_path_buf();
        let cached = self
            .layer_of_pyproject
            .lock()
            .ok()
            .and_then(|map| map.get(&pyproject).cloned());
        if let Some(layer) = cached {
            return layer;
        }
        let layer = config::read_pyproject(&pyproject)
            .map(config::ProjectConfig::warn_on_stderr)
            .map_err(|error| vec![error])
            .and_then(|mut layer| {
                let errors = layer.validate_selectors(&|key| {
                    format!("{} [tool.asyncell] {key}", pyproject.display())
                });
                if errors.is_empty() {
                    Ok(layer)
                } else {
                    Err(errors)
                }
            });
        if let Ok(mut map) = self.layer_of_pyproject.lock() {
            map.insert(pyproject, layer.clone());
        }
        layer
    }

    fn pyproject_for(&self, dir: PathBuf) -> Option<PathBuf> {
        let cached = self
            .pyproject_of_dir
            .lock()
            .ok()
            .and_then(|map| map.get(&dir).cloned());
        if let Some(pyproject) = cached {
            return pyproject;
        }
        let start = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &dir
        };
        let pyproject = config::find_pyproject(start, config::SearchLimit::Repository);
        if let Ok(mut map) = self.pyproject_of_dir.lock() {
            map.insert(dir, pyproject.clone());
        }
        pyproject
    }
}

/// A file's bytes as read, or why they could not be.
struct Input<'a> {
    /// The name to report (and to find its pyproject.toml by); for stdin, the
    /// --stdin-filename, never written to.
    path: &'a Path,
    read: Result<Vec<u8>, String>,
    from_stdin: bool,
}

fn check_input(
    input: Input<'_>,
    configs: &ConfigCache,
    cli_layer: &ConfigLayer,
    options: fixes::FixOptions,
    cache: Option<&cache::ResultCache>,
) -> Outcome {
    let path = input.path;
    let failed = |error: String| Outcome::Failed {
        path: path.to_path_buf(),
        error,
    };
    let (layer, pyproject) = match configs.layer_and_pyproject_for(path) {
        Ok((layer, pyproject)) => (layer.merged(cli_layer), pyproject),
        Err(pyproject_errors) => {
            return Outcome::Unconfigured {
                path: path.to_path_buf(),
                pyproject_errors,
            }
        }
    };
    let mut settings = layer.settings();
    settings.package = crate::analysis::settings::package_of(path);
    match configs.ignores_for(pyproject, &layer, cli_layer) {
        Ok(ignores) => settings.ignore.extend(ignores.codes_for(path)),
        Err(error) => return failed(error),
    }
    let cached = cache
        .zip(input.read.as_ref().ok())
        .map(|(cache, bytes)| cache.lookup(path, bytes, &settings, options));
    if let Some((findings, fixes)) = cached.as_ref().and_then(|entry| entry.load(path)) {
        let path = path.to_path_buf();
        return Outcome::Checked {
            path,
            findings,
            fixes,
        };
    }
    // Only a fix needs the bytes as read (to write them back, or to compare before
    // writing); a plain check keeps one copy of each file, as before fixes existed.
    let keep_bytes = options.mode != fixes::FixMode::Report || input.from_stdin;
    let mut original = match input
        .read
        .and_then(|bytes| fixes::Original::decode(bytes, is_notebook(path), keep_bytes))
    {
        Ok(original) => original,
        Err(error) => return failed(error),
    };
    // A file without async code or a loop library cannot have findings (but E999): it
    // is not parsed. Notebooks always are: their cells are what asyncell is for.
    if !original.is_notebook && !relevance::may_have_findings(&original.text) {
        let new_bytes = input.from_stdin.then_some(original.bytes);
        return Outcome::Checked {
            path: path.to_path_buf(),
            findings: Vec::new(),
            fixes: fixes::FileFixes {
                new_bytes,
                ..fixes::FileFixes::default()
            },
        };
    }
    let checked = match fixes::check_text(path, &mut original, &settings, options) {
        Ok(checked) => checked,
        Err(error) => return failed(error),
    };
    if options.mode == fixes::FixMode::Apply && !input.from_stdin {
        if let Some(new) = &checked.fixes.new_bytes {
            if let Err(error) = write::replace_file(path, &original.bytes, new) {
                return failed(error);
            }
        }
    }
    let url_base = settings.rule_url_base.as_deref();
    let findings: Vec<Finding> = checked
        .document
        .slots()
        .iter()
        .zip(&checked.diagnostics)
        .flat_map(|(slot, diagnostics)| diagnostics.iter().map(move |d| (slot, d)))
        .map(|(slot, diagnostic)| {
            Finding::new(
                path,
                slot,
                diagnostic,
                url_base,
                options.is_fixable(diagnostic),
            )
        })
        .collect();
    let mut fixes = checked.fixes;
    if input.from_stdin && fixes.new_bytes.is_none() {
        fixes.new_bytes = Some(original.bytes);
    }
    if let Some(entry) = cached {
        entry.store(&findings, &fixes);
    }
    Outcome::Checked {
        path: path.to_path_buf(),
        findings,
        fixes,
    }
}

fn is_notebook(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ipynb")
}
