//! `asyncell check`'s result cache end to end: the binary run twice (and more) on a
//! temporary project with a script, a `# %%` cell file and a notebook, reading what the
//! cache did from its debug line (`cache: N hits, M misses, W written`) and holding the
//! output to what an uncached run prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FILES: &[(&str, &str)] = &[
    ("script.py", include_str!("fixtures/check/script.py")),
    ("cells.py", include_str!("fixtures/check/cells.py")),
    (
        "notebook.ipynb",
        include_str!("fixtures/check/notebook.ipynb"),
    ),
    (
        "pyproject.toml",
        include_str!("fixtures/check/pyproject.toml"),
    ),
];

const SOURCES: usize = 3;

struct Project {
    dir: tempfile::TempDir,
}

/// What the cache did in one run.
#[derive(Debug, PartialEq, Eq)]
struct Counts {
    hits: usize,
    misses: usize,
    written: usize,
}

fn counts(hits: usize, misses: usize, written: usize) -> Counts {
    Counts {
        hits,
        misses,
        written,
    }
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in FILES {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        Project { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A command for `binary check ARGS .`, run in the project (so the default cache
    /// lands in it, never in the repository), with the cache's debug line on stderr.
    fn command(&self, binary: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(binary);
        command
            .current_dir(self.dir.path())
            .arg("check")
            .args(["--output-format", "concise"])
            .args(args)
            .arg(".")
            .env("ASYNCELL_LOG", "asyncell=debug")
            .env_remove("ASYNCELL_CACHE_DIR")
            .env_remove("ASYNCELL_NO_CACHE")
            .env_remove("ASYNCELL_OUTPUT_FORMAT");
        command
    }

    fn run_with(&self, binary: &Path, args: &[&str]) -> Output {
        self.command(binary, args).output().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(Path::new(env!("CARGO_BIN_EXE_asyncell")), args)
    }

    fn default_cache(&self) -> PathBuf {
        self.path(".asyncell_cache")
    }
}

/// The cache's line on stderr; `None` when the run used no cache.
fn cache_counts(output: &Output) -> Option<Counts> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().find_map(|line| {
        line.split_once("cache: ")
            .map(|(_, rest)| rest)
            .filter(|rest| rest.contains(" hits, "))
    })?;
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().unwrap())
        .collect();
    match numbers[..] {
        [hits, misses, written] => Some(counts(hits, misses, written)),
        _ => panic!("unexpected cache line: {line}"),
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The summary and hints, without the log lines.
fn summary(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| !line.contains("asyncell::"))
        .map(str::to_string)
        .collect()
}

/// The binary-key directories in a cache (one per binary that wrote there).
fn binary_dirs(cache: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cache)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn a_second_run_reads_every_file_from_the_cache_and_prints_the_same() {
    let project = Project::new();
    let uncached = project.run(&["--no-cache"]);
    assert_eq!(cache_counts(&uncached), None);
    assert!(!stdout(&uncached).is_empty(), "the fixtures have findings");
    let first = project.run(&[]);
    assert_eq!(cache_counts(&first), Some(counts(0, SOURCES, SOURCES)));
    let second = project.run(&[]);
    assert_eq!(cache_counts(&second), Some(counts(SOURCES, 0, 0)));
    for run in [&first, &second] {
        assert_eq!(stdout(run), stdout(&uncached));
        assert_eq!(summary(run), summary(&uncached));
        assert_eq!(run.status.code(), Some(1));
    }
    let cache = project.default_cache();
    assert_eq!(
        std::fs::read_to_string(cache.join(".gitignore")).unwrap(),
        "*\n"
    );
    assert!(std::fs::read_to_string(cache.join("CACHEDIR.TAG"))
        .unwrap()
        .starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
}

#[test]
fn every_output_format_prints_the_same_bytes_from_the_cache() {
    let project = Project::new();
    let formats = [
        "full",
        "concise",
        "json",
        "json-lines",
        "github",
        "gitlab",
        "sarif",
        "junit",
    ];
    for format in formats {
        for extra in [&[][..], &["--statistics"], &["--unsafe-fixes"]] {
            let mut args = vec!["--output-format", format];
            args.extend_from_slice(extra);
            let uncached = project.run(&[&args[..], &["--no-cache"]].concat());
            project.run(&args);
            let cached = project.run(&args);
            assert_eq!(
                cache_counts(&cached),
                Some(counts(SOURCES, 0, 0)),
                "{args:?}"
            );
            assert_eq!(cached.stdout, uncached.stdout, "{args:?}");
            assert_eq!(summary(&cached), summary(&uncached), "{args:?}");
        }
    }
}

#[test]
fn an_edited_file_is_a_miss_and_the_others_hit() {
    let project = Project::new();
    project.run(&[]);
    let script = project.path("script.py");
    let mut text = std::fs::read_to_string(&script).unwrap();
    text.push_str("\nimport asyncio\nasyncio.sleep(1)\n");
    std::fs::write(&script, text).unwrap();
    let edited = project.run(&[]);
    assert_eq!(cache_counts(&edited), Some(counts(SOURCES - 1, 1, 1)));
    assert_eq!(stdout(&edited), stdout(&project.run(&["--no-cache"])));
}

#[test]
fn changed_configuration_misses() {
    let project = Project::new();
    project.run(&[]);
    std::fs::write(
        project.path("pyproject.toml"),
        "[tool.asyncell]\nignore = [\"LOOP201\", \"LOOP300\"]\n",
    )
    .unwrap();
    let reconfigured = project.run(&[]);
    assert_eq!(
        cache_counts(&reconfigured),
        Some(counts(0, SOURCES, SOURCES))
    );
    assert!(!stdout(&reconfigured).contains("LOOP300"));
    assert_eq!(stdout(&reconfigured), stdout(&project.run(&["--no-cache"])));
    assert_eq!(
        cache_counts(&project.run(&["--target-version", "py312"])),
        Some(counts(0, SOURCES, SOURCES))
    );
    assert_eq!(
        cache_counts(&project.run(&["--target-version", "py312"])),
        Some(counts(SOURCES, 0, 0))
    );
}

#[test]
fn another_binary_never_reads_the_entries_and_replaces_them() {
    let project = Project::new();
    project.run(&[]);
    let cache = project.default_cache();
    let before = binary_dirs(&cache);
    assert_eq!(before.len(), 1);
    // A rebuilt binary: same version, another size or time.
    let bin_dir = tempfile::tempdir().unwrap();
    let copy = bin_dir.path().join("asyncell");
    std::fs::copy(env!("CARGO_BIN_EXE_asyncell"), &copy).unwrap();
    let time = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    std::fs::File::options()
        .write(true)
        .open(&copy)
        .unwrap()
        .set_modified(time)
        .unwrap();
    let rebuilt = project.run_with(&copy, &[]);
    assert_eq!(cache_counts(&rebuilt), Some(counts(0, SOURCES, SOURCES)));
    assert_eq!(stdout(&rebuilt), stdout(&project.run(&["--no-cache"])));
    let after = binary_dirs(&cache);
    assert_eq!(after.len(), 1, "the old binary's entries are removed");
    assert_ne!(after, before);
}

#[test]
fn a_corrupt_entry_is_a_miss_and_is_rewritten() {
    let project = Project::new();
    let expected = stdout(&project.run(&["--no-cache"]));
    project.run(&[]);
    let dirs = binary_dirs(&project.default_cache());
    let entries: Vec<PathBuf> = std::fs::read_dir(&dirs[0])
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(
        entries.len(),
        SOURCES,
        "one entry per file, no temporary left"
    );
    // One truncated, one garbage, one emptied.
    let whole = std::fs::read(&entries[0]).unwrap();
    std::fs::write(&entries[0], &whole[..whole.len() / 2]).unwrap();
    std::fs::write(&entries[1], b"\x00\xffnot an entry").unwrap();
    std::fs::write(&entries[2], b"").unwrap();
    let repaired = project.run(&[]);
    assert_eq!(cache_counts(&repaired), Some(counts(0, SOURCES, SOURCES)));
    assert_eq!(stdout(&repaired), expected);
    let next = project.run(&[]);
    assert_eq!(cache_counts(&next), Some(counts(SOURCES, 0, 0)));
    assert_eq!(stdout(&next), expected);
}

#[test]
fn no_cache_writes_nothing() {
    let project = Project::new();
    project.run(&["--no-cache"]);
    let by_env = project
        .command(Path::new(env!("CARGO_BIN_EXE_asyncell")), &[])
        .env("ASYNCELL_NO_CACHE", "1")
        .output()
        .unwrap();
    assert_eq!(cache_counts(&by_env), None);
    assert!(!project.default_cache().exists());
}

#[test]
fn the_cache_goes_where_the_flag_or_the_environment_says() {
    let project = Project::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let flagged = elsewhere.path().join("by-flag");
    let flag = flagged.to_str().unwrap();
    project.run(&["--cache-dir", flag]);
    let hit = project.run(&["--cache-dir", flag]);
    assert_eq!(cache_counts(&hit), Some(counts(SOURCES, 0, 0)));
    assert_eq!(
        std::fs::read_to_string(flagged.join(".gitignore")).unwrap(),
        "*\n"
    );
    let by_env = elsewhere.path().join("by-env");
    let run_env = || {
        project
            .command(Path::new(env!("CARGO_BIN_EXE_asyncell")), &[])
            .env("ASYNCELL_CACHE_DIR", &by_env)
            .output()
            .unwrap()
    };
    assert_eq!(cache_counts(&run_env()), Some(counts(0, SOURCES, SOURCES)));
    assert_eq!(cache_counts(&run_env()), Some(counts(SOURCES, 0, 0)));
    assert!(by_env.join("CACHEDIR.TAG").is_file());
    assert!(!project.default_cache().exists());
}

#[test]
fn fix_and_diff_bypass_the_cache_and_the_next_check_sees_the_fixed_file() {
    let project = Project::new();
    project.run(&[]);
    let fixed = project.run(&["--fix", "--unsafe-fixes"]);
    assert_eq!(cache_counts(&fixed), None);
    let after = project.run(&[]);
    assert_eq!(stdout(&after), stdout(&project.run(&["--no-cache"])));
}

#[test]
fn two_concurrent_runs_both_succeed_with_the_right_output() {
    let project = Project::new();
    let expected = stdout(&project.run(&["--no-cache"]));
    let binary = Path::new(env!("CARGO_BIN_EXE_asyncell"));
    for _ in 0..3 {
        let children: Vec<_> = (0..2)
            .map(|_| {
                project
                    .command(binary, &[])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert_eq!(output.status.code(), Some(1));
            assert_eq!(stdout(&output), expected);
            assert!(cache_counts(&output).is_some());
        }
    }
}
