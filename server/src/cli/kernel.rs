//! `asyncell kernel`: the Jupyter kernel (`--connection-file`, as a kernel spec runs it),
//! and its kernel specs (`install`, `list`, `uninstall`). See `crate::kernel`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use crate::config::{PythonSetting, SearchLimit};
use crate::exec::{self, HostSpec, LoopKind, ProjectVenv};
use crate::kernel::kernelspec::{self, Location};
use crate::kernel::{self, KernelOptions};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct KernelArgs {
    #[command(subcommand)]
    pub action: Option<KernelAction>,
    /// The connection file jupyter_client wrote (the kernel spec's `{connection_file}`).
    #[arg(short = 'f', long)]
    pub connection_file: Option<PathBuf>,
    #[command(flatten)]
    pub host: HostArgs,
}

#[derive(Debug, Args)]
pub struct HostArgs {
    /// The loop the cells run on.
    #[arg(long = "loop", value_enum, default_value = "trio")]
    pub loop_kind: LoopArg,
    /// The interpreter: a path, or a command line such as "ssh box python3". Default:
    /// $VIRTUAL_ENV/bin/python, else the nearest .venv/bin/python from the kernel's
    /// working directory (the notebook's), else the python asyncell is installed in,
    /// else python3.
    #[arg(long)]
    pub python: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LoopArg {
    Trio,
    Asyncio,
}

impl From<LoopArg> for LoopKind {
    fn from(arg: LoopArg) -> LoopKind {
        match arg {
            LoopArg::Trio => LoopKind::Trio,
            LoopArg::Asyncio => LoopKind::Asyncio,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum KernelAction {
    /// Write a kernel spec (kernel.json) so Jupyter front ends offer this kernel.
    Install(InstallArgs),
    /// List the installed asyncell kernel specs.
    List,
    /// Remove asyncell kernel specs by name.
    Uninstall(UninstallArgs),
}

#[derive(Debug, Args)]
pub struct WhereArgs {
    /// In the user's Jupyter data dir (the default).
    #[arg(long, conflicts_with_all = ["sys_prefix", "prefix"])]
    pub user: bool,
    /// In the active environment ($VIRTUAL_ENV or $CONDA_PREFIX).
    #[arg(long, conflicts_with = "prefix")]
    pub sys_prefix: bool,
    /// In PREFIX/share/jupyter.
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<PathBuf>,
}

impl WhereArgs {
    fn location(&self) -> Option<Location> {
        if let Some(prefix) = &self.prefix {
            Some(Location::Prefix(prefix.clone()))
        } else if self.sys_prefix {
            Some(Location::SysPrefix)
        } else if self.user {
            Some(Location::User)
        } else {
            None
        }
    }
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    #[command(flatten)]
    pub at: WhereArgs,
    /// The spec's name (default: asyncell-trio or asyncell-asyncio).
    #[arg(long)]
    pub name: Option<String>,
    /// What front ends show (default: "Python (asyncell, trio)" or "... asyncio)").
    #[arg(long)]
    pub display_name: Option<String>,
    #[command(flatten)]
    pub host: HostArgs,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// The specs' names.
    #[arg(required = true)]
    pub names: Vec<String>,
    /// Only look there (default: everywhere Jupyter looks).
    #[command(flatten)]
    pub at: WhereArgs,
}

pub fn run(args: KernelArgs) -> ExitCode {
    match args.action {
        Some(KernelAction::Install(install)) => run_install(install),
        Some(KernelAction::List) => {
            let found = kernelspec::list(&kernelspec::search_dirs());
            if found.is_empty() {
                eprintln!(
                    "no asyncell kernel specs installed (`asyncell kernel install` adds one)"
                );
            }
            for spec in found {
                println!(
                    "{:<24} {:<32} {}",
                    spec.name,
                    spec.display_name,
                    spec.dir.display()
                );
            }
            ExitCode::SUCCESS
        }
        Some(KernelAction::Uninstall(uninstall)) => {
            let dirs = match uninstall.at.location() {
                Some(location) => match kernelspec::data_dir(&location) {
                    Ok(dir) => vec![dir],
                    Err(error) => return fail(&error),
                },
                None => kernelspec::search_dirs(),
            };
            match kernelspec::uninstall(&dirs, &uninstall.names) {
                Ok(removed) => {
                    for dir in removed {
                        eprintln!("removed {}", dir.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => fail(&error),
            }
        }
        None => {
            let Some(connection_file) = args.connection_file else {
                return fail(
                    "asyncell kernel needs --connection-file FILE (Jupyter passes it); \
                     `asyncell kernel install` writes a kernel spec that does",
                );
            };
            let spec = host_spec(&args.host);
            let options = KernelOptions {
                connection_file,
                spec,
            };
            match crate::runtime::block_on(kernel::run(options)) {
                Ok(code) => ExitCode::from(code),
                Err(error) => fail(&error),
            }
        }
    }
}

fn run_install(args: InstallArgs) -> ExitCode {
    let exe = match std::env::current_exe().and_then(std::fs::canonicalize) {
        Ok(exe) => exe,
        Err(error) => return fail(&format!("cannot find this program's path: {error}")),
    };
    let install = kernelspec::Install {
        location: args.at.location().unwrap_or(Location::User),
        name: args.name,
        display_name: args.display_name,
        loop_kind: args.host.loop_kind.into(),
        python: args.host.python,
    };
    match kernelspec::install(&exe, &install) {
        Ok(dir) => {
            eprintln!("installed kernel spec in {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error),
    }
}

/// The host the kernel runs: `--python`, else what `asyncell run` would pick from the
/// working directory (Jupyter starts kernels in the notebook's directory).
fn host_spec(args: &HostArgs) -> HostSpec {
    let setting: Option<PythonSetting> = args.python.as_deref().map(super::run::python_setting);
    let cwd = std::env::current_dir().ok();
    let interpreter = exec::choose_python(&exec::Discovery {
        setting: setting.as_ref(),
        relative_to: cwd.as_deref(),
        document_dir: cwd.as_deref(),
        limit: SearchLimit::Repository,
        venv: ProjectVenv::Allowed,
    });
    HostSpec {
        interpreter,
        loop_kind: args.loop_kind.into(),
        loop_chosen: false,
        cwd,
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}
